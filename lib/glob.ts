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
 * A model policy: only `allow` (any when absent), never `deny` (a deny wins). `asked` is the name as given,
 * `pricedAs` the catalog entries it resolves to (what it is priced and served as). Denied when any of them is
 * (`openai/gpt-4o` and `GPT 4o` are `gpt-4o` to a `gpt-4o*` deny); allowed only when what it is priced as is, or
 * the name as asked when the catalog does not know it (`gpt-4o-mini/gpt-4o` is gpt-4o, whatever it starts with).
 */
export function policyAllows(
  p: { readonly allow?: readonly string[]; readonly deny?: readonly string[] }, asked: string, pricedAs: readonly string[] = [],
): boolean {
  if (p.deny?.some((d) => globMatch(d, asked) || pricedAs.some((n) => globMatch(d, n)))) return false;
  const decisive = pricedAs.length ? pricedAs : [asked];
  return !p.allow || decisive.every((n) => p.allow!.some((a) => globMatch(a, n)));
}
