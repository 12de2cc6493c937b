import { useEffect, useState, type ComponentType } from 'react';
import { ApiError } from '../api/client.js';
import { SignIn } from '../auth/SignIn.js';
import { forgetKey, SessionContext, signIn, storedKey, type Session } from '../auth/session.js';
import { BudgetsPage } from '../features/budgets/BudgetsPage.js';
import { ModelPage } from '../features/model/ModelPage.js';
import { OverviewPage } from '../features/overview/OverviewPage.js';
import { RunsPage } from '../features/runs/RunsPage.js';
import { SpendPage } from '../features/spend/SpendPage.js';
import { PAGES, usePage, type PageId } from './pages.js';
import { TenantPicker } from './TenantPicker.js';

const VIEWS: Record<PageId, ComponentType<{ tenant?: string }>> = {
  overview: OverviewPage, spend: SpendPage, budgets: BudgetsPage, runs: RunsPage, model: ModelPage,
};

export function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [restoring, setRestoring] = useState(() => storedKey() !== null);
  const [expired, setExpired] = useState<string>();
  const [tenant, setTenant] = useState<string>();
  const page = usePage();
  useEffect(() => {
    const key = storedKey();
    if (!key) return;
    signIn(key).then(setSession, (err: Error) => {
      forgetKey();
      setExpired(err instanceof ApiError && err.status === 401 ? 'Your key is no longer accepted; sign in again.' : err.message);
    }).finally(() => setRestoring(false));
  }, []);
  useEffect(() => { document.title = `${PAGES.find((p) => p.id === page)!.title} · Lutflow`; }, [page]);
  if (restoring) return <p className="muted" role="status">Signing in…</p>;
  if (!session) return <SignIn onSignedIn={setSession} initialError={expired} />;
  const View = VIEWS[page];
  const signOut = () => { forgetKey(); setSession(null); setTenant(undefined); };
  return (
    <SessionContext.Provider value={session}>
      <a className="skip" href="#main">Skip to content</a>
      <header className="top">
        <span className="brand">Lutflow</span>
        <nav aria-label="Pages">
          <ul>
            {PAGES.map((p) => <li key={p.id}><a href={`#/${p.id}`} aria-current={p.id === page ? 'page' : undefined}>{p.title}</a></li>)}
          </ul>
        </nav>
        <TenantPicker value={tenant} onChange={setTenant} />
        <span className="who" data-scope={session.scope.admin ? 'admin' : 'tenant'}>
          {session.scope.admin ? 'admin key (all tenants)' : `key for ${session.scope.tenants.join(', ')}`}
        </span>
        <button type="button" className="secondary" onClick={signOut}>Sign out</button>
      </header>
      <main id="main" tabIndex={-1}>
        <h1>{PAGES.find((p) => p.id === page)!.title}{tenant ? `: ${tenant}` : ''}</h1>
        <View key={page} tenant={tenant} />
      </main>
    </SessionContext.Provider>
  );
}
