import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { escapeHtml } from '../src/http/pages.js';

/** Identity headers the demo app shows first. */
const IDENTITY = ['x-forwarded-user', 'x-forwarded-email'];

/** What the app received, as its JSON endpoint reports it. */
export interface Received {
  readonly method: string;
  readonly url: string;
  readonly user: string | undefined;
  readonly email: string | undefined;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** What the app received from the proxy in front of it: method, URL and headers. */
export function received(req: http.IncomingMessage): Received {
  const one = (name: string) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  return {
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    user: one('x-forwarded-user'),
    email: one('x-forwarded-email'),
    headers: req.headers,
  };
}

/** Header values are percent-encoded by the service when they are not plain ASCII. */
function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Long values (cookies, user agents) are cut for the page; the JSON endpoint has them whole. */
function shorten(value: string): string {
  return value.length > 160 ? `${value.slice(0, 157)}…` : value;
}

function renderApp(r: Received): string {
  const user = r.user !== undefined ? decode(r.user) : undefined;
  const rows = Object.entries(r.headers)
    .sort(([a], [b]) => Number(IDENTITY.includes(b)) - Number(IDENTITY.includes(a)) || a.localeCompare(b))
    .map(
      ([k, v]) =>
        `<tr${IDENTITY.includes(k) ? ' class="id"' : ''}><th>${escapeHtml(k)}</th><td>${escapeHtml(shorten(String(v)))}</td></tr>`,
    )
    .join('');
  const who = user
    ? `<p class="hello">Signed in as</p><p class="name" data-testid="user">${escapeHtml(user)}</p><p class="email" data-testid="email">${escapeHtml(decode(r.email ?? ''))}</p>`
    : '<p class="hello">Nobody is signed in: this page was reached without identity headers.</p>';
  // Nobody signed in (a bypass path, or UNAUTHENTICATED_BEHAVIOR=pass): the app's own sign-in link.
  const account = user
    ? '<a class="button" href="/oauth2/logout">Sign out</a>'
    : `<a class="button" data-testid="sign-in" href="/oauth2/login?redirect=${escapeHtml(encodeURIComponent(r.url))}">Sign in</a>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Demo app</title><style>
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f5f7;color:#1f2328;padding:16px}
main{max-width:44rem;margin:0 auto}.card{background:#fff;border-radius:12px;box-shadow:0 1px 3px rgba(0,0,0,.12);padding:1.5rem;margin-bottom:1rem}
header{display:flex;justify-content:space-between;align-items:center;gap:1rem;margin:0 0 1rem}h1{font-size:1.2rem;margin:0}
.hello{margin:0;color:#6a737d}.name{font-size:1.6rem;font-weight:700;margin:.2rem 0 0}.email{margin:0;color:#0b5cad}
a.button{display:inline-block;padding:.5rem 1rem;border-radius:8px;background:#0b5cad;color:#fff;text-decoration:none;font-weight:600;white-space:nowrap}
h2{font-size:1rem;margin:0 0 .75rem}table{width:100%;border-collapse:collapse;font-size:.85rem;table-layout:fixed}
th,td{text-align:left;vertical-align:top;padding:.35rem .4rem;border-top:1px solid #eee;overflow-wrap:anywhere}th{width:38%;font-weight:600;color:#444}
@media (max-width:560px){th,td{display:block;width:auto}th{padding-bottom:0}td{border-top:0;padding-top:.1rem}}
tr.id th,tr.id td{background:#eef6ff}.path{font-family:ui-monospace,monospace;font-size:.85rem;color:#6a737d;word-break:break-all}
</style></head><body><main>
<header><h1>Demo app</h1>${account}</header>
<section class="card">${who}<p class="path" data-testid="path">${escapeHtml(r.method)} ${escapeHtml(r.url)}</p></section>
<section class="card"><h2>Headers this app received</h2><table>${rows}</table></section>
</main></body></html>`;
}

/**
 * The demo upstream: every path shows who is signed in and the headers the app
 * received; `/api/*` (and any request that asks for JSON only) answers the same as JSON. It trusts the identity headers
 * because only the proxy in front of it can reach it.
 */
export function demoAppHandler(req: http.IncomingMessage, res: http.ServerResponse): void {
  const r = received(req);
  req.resume();
  const accept = req.headers.accept ?? '';
  if ((req.url ?? '/').startsWith('/api/') || (accept.includes('application/json') && !accept.includes('text/html'))) {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify(r));
    return;
  }
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(renderApp(r));
}

/** A running demo app. */
export interface DemoApp {
  readonly server: http.Server;
  readonly url: string;
  close(): Promise<void>;
}

/** Starts the demo app, which shows who is signed in and every header it received. */
export async function startDemoApp(
  options: { port?: number; host?: string; handler?: http.RequestListener } = {},
): Promise<DemoApp> {
  const server = http.createServer(options.handler ?? demoAppHandler);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://${host}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
