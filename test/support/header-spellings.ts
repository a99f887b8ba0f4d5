/**
 * The spellings an attacker can give one header name. CGI-style apps (WSGI, Rack,
 * PHP, many frameworks) read `X_Forwarded_User`, `x-forwarded_user` and
 * `X-Forwarded-User` all as `HTTP_X_FORWARDED_USER`, so each one is the identity.
 */

/** Every `_`/`-` combination of a name's separators: 2^k names for k separators, in the name's own case. */
export function separatorSpellings(name: string): string[] {
  const parts = name.split(/[-_]/);
  const k = parts.length - 1;
  const out: string[] = [];
  for (let mask = 0; mask < 2 ** k; mask++) {
    out.push(
      parts.reduce((acc, part, i) => (i === 0 ? part : `${acc}${mask & (1 << (i - 1)) ? '_' : '-'}${part}`), ''),
    );
  }
  return out;
}

/** The case variants tried: as written, lower, upper, and alternating (`x-FoRwArDeD-...`). */
export const CASES: readonly { readonly label: string; readonly apply: (name: string) => string }[] = [
  { label: 'as written', apply: (n) => n },
  { label: 'lower case', apply: (n) => n.toLowerCase() },
  { label: 'upper case', apply: (n) => n.toUpperCase() },
  {
    label: 'alternating case',
    apply: (n) => Array.from(n, (c, i) => (i % 2 ? c.toUpperCase() : c.toLowerCase())).join(''),
  },
];

/** How a proxy or app compares names: case ignored, `_` read as `-`. */
export const canonicalName = (name: string) => name.toLowerCase().replace(/_/g, '-');
