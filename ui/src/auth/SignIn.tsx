import { useState, type FormEvent } from 'react';
import { signIn, type Session } from './session.js';

export function SignIn({ onSignedIn, initialError }: { onSignedIn: (s: Session) => void; initialError?: string }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState(initialError);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(await signIn(key.trim()));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="signin">
      <h1>Lutflow</h1>
      <p>Spend, budgets, runs and the cost model of your AI inference.</p>
      <form onSubmit={submit} aria-describedby="key-help">
        <label htmlFor="api-key">API key</label>
        <input id="api-key" name="api-key" type="password" autoComplete="current-password" required minLength={16}
          value={key} onChange={(e) => setKey(e.target.value)} />
        <p id="key-help" className="note">
          A key from <code>LUTFLOW_API_KEYS</code>: a tenant key shows its tenants, an admin key (<code>*</code>) shows all
          and may change limits. <code>npm start</code> prints a development key.
        </p>
        <button type="submit" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
        {error && <p className="error" role="alert">{error}</p>}
      </form>
    </main>
  );
}
