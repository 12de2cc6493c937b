const compiled = new Map<string, RegExp>();

/** Whether `text` matches `pattern`, where `*` stands for any run of characters; case is ignored. */
export function globMatch(pattern: string, text: string): boolean {
  let re = compiled.get(pattern);
  if (!re) {
    re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
    if (compiled.size < 10_000) compiled.set(pattern, re);
  }
  return re.test(text);
}

/**
 * A model policy: only `allow` (any when absent), never `deny` (a deny wins). `names`: every name the model goes
 * by (as asked, and the catalog entry it is priced as), so that `openai/gpt-4o` or `GPT 4o` cannot slip past a
 * `gpt-4o*` deny: denied when any name is, allowed when any name is.
 */
export function policyAllows(p: { readonly allow?: readonly string[]; readonly deny?: readonly string[] }, names: string | readonly string[]): boolean {
  const all = typeof names === 'string' ? [names] : names;
  if (p.deny?.some((d) => all.some((n) => globMatch(d, n)))) return false;
  return !p.allow || p.allow.some((a) => all.some((n) => globMatch(a, n)));
}
