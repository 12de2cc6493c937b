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

/** A model policy: only `allow` (any when absent), never `deny` (a deny wins). */
export function policyAllows(p: { readonly allow?: readonly string[]; readonly deny?: readonly string[] }, name: string): boolean {
  if (p.deny?.some((d) => globMatch(d, name))) return false;
  return !p.allow || p.allow.some((a) => globMatch(a, name));
}
