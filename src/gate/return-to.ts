const BASE = 'https://return-to.invalid';
/** Longest return-to URL kept; longer ones fall back to the default. */
export const MAX_RETURN_TO = 2048;

/**
 * Reduces a return-to candidate (X-Forwarded-Uri, `?redirect=`, Referer) to a path
 * and query on the app's own domain: scheme, host, credentials and fragment are
 * dropped, browser-ignored whitespace is removed first, and anything that is not
 * an http(s) URL, or that points at one of `reserved` paths, gives `fallback`.
 * The caller prefixes the configured origin, so the result never leaves the domain.
 */
export function safeReturnTo(
  candidate: string | undefined,
  fallback: string,
  reserved: readonly string[] = [],
): string {
  if (candidate === undefined) return fallback;
  // Browsers drop tabs and newlines anywhere in a URL and trim C0 controls and spaces.
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  const cleaned = candidate.replace(/[\t\n\r]/g, '').replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '');
  if (cleaned === '' || cleaned.length > MAX_RETURN_TO) return fallback;
  let url: URL;
  try {
    url = new URL(cleaned, BASE);
  } catch {
    return fallback;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return fallback;
  const path = url.pathname.replace(/^[/\\]+/, '/');
  if (!path.startsWith('/') || reserved.includes(path)) return fallback;
  return path + url.search;
}
