import { useState, type FormEvent } from 'react';
import type { BudgetView } from '../../../api/types.js';
import { useSession } from '../../../auth/session.js';

/** An admin changes a budget's limit (PATCH /budgets/{tenant}); the server answers errors by field. */
export function EditLimit({ budget, onSaved }: { budget: BudgetView; onSaved: () => void }) {
  const { client } = useSession();
  const [value, setValue] = useState(String(budget.limit_usd));
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const id = `limit-${budget.tenant_id}`;
  const save = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const b = await client.setLimit(budget.tenant_id, Number(value));
      setMessage({ ok: true, text: `Saved: the limit is now $${b.limit_usd}.` });
      onSaved();
    } catch (err) {
      setMessage({ ok: false, text: (err as Error).message });
    }
  };
  return (
    <form className="inline-form" onSubmit={save}>
      <label htmlFor={id}>Limit for {budget.tenant_id} (USD)</label>
      <input id={id} type="number" min={0} step="0.01" required value={value} onChange={(e) => setValue(e.target.value)} />
      <button type="submit">Save limit</button>
      {message && <span role={message.ok ? 'status' : 'alert'} className={message.ok ? 'ok' : 'error'}>{message.text}</span>}
    </form>
  );
}
