/** Request headers as Node gives them (lower-case names). */
export type Headers = Readonly<Record<string, string | string[] | undefined>>;

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
