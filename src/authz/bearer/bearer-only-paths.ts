import { normalizePath } from '../bypass-paths.js';

/** Validates `BEARER_ONLY_PATHS` entries: absolute paths without query, fragment or spaces. */
export function bearerOnlyPathProblems(prefixes: readonly string[], variable = 'BEARER_ONLY_PATHS'): string[] {
  return prefixes
    .filter((p) => !p.startsWith('/') || p.startsWith('//') || /[?#\s]/.test(p))
    .map((p) => `${variable}: "${p}" must be a path prefix such as /api/, without query or fragment`);
}

/**
 * Compiles `BEARER_ONLY_PATHS` into one predicate on a raw request path (query
 * allowed). Paths are normalised as for `BYPASS_PATHS`; a prefix matches on a
 * segment boundary: `/api/` and `/api` both match `/api` and `/api/x`, never
 * `/apix`. The root `/` matches every path.
 */
export function compileBearerOnlyPaths(prefixes: readonly string[]): (requestPath: string) => boolean {
  const bases = [...new Set(prefixes.map((p) => normalizePath(p).replace(/\/+$/, '')))];
  if (bases.length === 0) return () => false;
  if (bases.includes('')) return () => true;
  return (requestPath) => {
    const path = normalizePath(requestPath);
    return bases.some((base) => path.startsWith(base) && (path.length === base.length || path[base.length] === '/'));
  };
}
