const UNRESERVED = /%(2[dDeE]|3\d|[46][1-9a-fA-F]|[57][0-9aA]|5[fF]|7[eE])/g;

/**
 * Normalises a request path for bypass matching (documented in docs/configuration.md):
 * the query is dropped; a `#` is kept as part of the path (browsers never send a
 * fragment, and proxies pass a raw `#` to the app, so `/metrics#/../admin` must not
 * match `/metrics`); percent-encoded unreserved characters
 * (letters, digits, `-._~`) are decoded as RFC 3986 §6.2.2.2 allows, and other
 * escapes keep their meaning but get upper-case hex, so `/api%2Fhealth` never
 * equals `/api/health`. A trailing slash is significant.
 */
export function normalizePath(path: string): string {
  const end = path.indexOf('?');
  const bare = end === -1 ? path : path.slice(0, end);
  return bare
    .replace(UNRESERVED, (m) => String.fromCharCode(parseInt(m.slice(1), 16)))
    .replace(/%[0-9a-f]{2}/gi, (m) => m.toUpperCase());
}

/** Validates `BYPASS_PATHS` entries; each must be an absolute path without query. */
export function bypassPathProblems(paths: readonly string[], variable: string): string[] {
  return paths
    .filter((p) => !p.startsWith('/') || p.startsWith('//') || /[?#\s]/.test(p))
    .map((p) => `${variable}: "${p}" must be an absolute path such as /api/health, without query or fragment`);
}

/** Compiles the exact-match bypass list into one O(1) predicate on a raw request path. */
export function compileBypass(paths: readonly string[]): (requestPath: string) => boolean {
  const set = new Set(paths.map(normalizePath));
  if (set.size === 0) return () => false;
  return (requestPath) => set.has(normalizePath(requestPath));
}
