const usd2 = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });
const usd4 = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 4 });
const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const dec = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

/** Dollars for people: cents from $1 up, four decimals below (an API call often costs less than a cent). */
export function usd(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  return Math.abs(x) >= 1 || x === 0 ? usd2.format(x) : usd4.format(x);
}

export const count = (x: number | null | undefined) => (x === null || x === undefined ? '–' : int.format(x));
export const number = (x: number | null | undefined) => (x === null || x === undefined ? '–' : dec.format(x));
/** A value already in percent (the model card's, the accuracy route's): `90.4 %`. */
export const percent = (x: number | null | undefined, digits = 1) => (x === null || x === undefined ? '–' : `${x.toFixed(digits)} %`);
/** A fraction as a percentage: 0.163 → `16.3 %`. */
export const share = (x: number | null | undefined, digits = 1) => (x === null || x === undefined ? '–' : percent(x * 100, digits));

/** A UTC time as `2026-11-10 12:00:05 UTC` (the server's windows and budgets are in UTC). */
export function utc(iso: string | null | undefined): string {
  if (!iso) return '–';
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

export const clock = (iso: string) => iso.slice(11, 19);
