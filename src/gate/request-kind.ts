import { randomUUID } from 'node:crypto';

/** Request headers as Node gives them (lower-case names). */
export type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** The first value of a request header (lower-case name), or undefined. */
export function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * True when the original request is a browser navigation that may be redirected
 * to the login page; false for fetch/XHR and for unsafe methods, which get 401.
 */
export function isNavigation(method: string, headers: Headers): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  if (header(headers, 'x-requested-with')?.toLowerCase() === 'xmlhttprequest') return false;
  const mode = header(headers, 'sec-fetch-mode');
  if (mode !== undefined) return mode.toLowerCase() === 'navigate';
  return (header(headers, 'accept') ?? '').toLowerCase().includes('text/html');
}

/** True when the client prefers an HTML answer (for error pages). */
export function wantsHtml(headers: Headers): boolean {
  return (header(headers, 'accept') ?? '').toLowerCase().includes('text/html');
}

/**
 * The request's correlation id, made on first use and then fixed: a caller-supplied
 * `X-Request-Id` if it is short and plain, else a new UUID. Shown to the user on
 * pages and errors and written on the matching log lines.
 */
export function lazyCorrelationId(headers: Headers): () => string {
  let id: string | undefined;
  return () => {
    if (id === undefined) {
      const given = header(headers, 'x-request-id');
      id = given !== undefined && /^[A-Za-z0-9._-]{8,64}$/.test(given) ? given : randomUUID();
    }
    return id;
  };
}
