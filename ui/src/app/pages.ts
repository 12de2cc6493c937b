import { useEffect, useState } from 'react';

export const PAGES = [
  { id: 'overview', title: 'Overview' },
  { id: 'spend', title: 'Spend' },
  { id: 'budgets', title: 'Budgets' },
  { id: 'runs', title: 'Runs and deployments' },
  { id: 'model', title: 'Model' },
] as const;

export type PageId = (typeof PAGES)[number]['id'];

const current = (): PageId => {
  const id = location.hash.replace(/^#\/?/, '');
  return PAGES.some((p) => p.id === id) ? (id as PageId) : 'overview';
};

/** The page named by the URL's hash (`#/budgets`), so each page has an address and Back works. */
export function usePage(): PageId {
  const [page, setPage] = useState(current);
  useEffect(() => {
    const on = () => setPage(current());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return page;
}
