import http from 'node:http';
import {
  cookieHeader,
  DOMAIN,
  ORIGIN,
  serviceEnv as testServiceEnv,
  signInAtProvider,
} from '../test/support/harness.js';

/** The headers Traefik's forwardAuth sends, for a page on the app. */
export function traefikHeaders(cookie?: string): Record<string, string> {
  return {
    'X-Forwarded-Proto': 'https',
    'X-Forwarded-Host': DOMAIN,
    'X-Forwarded-Uri': '/dashboard?tab=1',
    'X-Forwarded-Method': 'GET',
    Accept: 'text/html,application/xhtml+xml',
    ...(cookie ? { Cookie: cookie } : {}),
  };
}

/**
 * The contract configuration's two extra identity headers: the user's name and
 * groups, rendered from HEADERS templates on every allowed check.
 */
export const BENCH_HEADERS = JSON.stringify([
  { name: 'X-Auth-Name', value: '{{ .claims.name }}' },
  { name: 'X-Auth-Groups', value: '{{ .claims.groups }}' },
]);

/** The service's environment for a benchmark instance: the tests' environment, quieter, with BENCH_HEADERS. */
export function serviceEnv(
  issuer: string,
  store: 'cookie' | 'redis',
  redisUrl?: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return testServiceEnv(issuer, {
    SESSION_STORE: store,
    COOKIE_NAME_PREFIX: '_b_',
    LOG_LEVEL: 'warn',
    HEADERS: BENCH_HEADERS,
    ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
    ...extra,
  });
}

/** One answer of the service, read whole. */
export interface Answer {
  readonly status: number;
  header(name: string): string | undefined;
  /** Every header of the answer, by lower-case name. */
  readonly headers: http.IncomingHttpHeaders;
  readonly setCookies: string[];
  readonly body: string;
}

/** A forwardAuth subrequest over node:http (fetch would add Sec-Fetch-Mode: cors, which is not a navigation). */
export function forward(base: string, uri: string, cookie?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      `${base}/oauth2/auth`,
      { headers: { ...traefikHeaders(cookie), 'X-Forwarded-Uri': uri }, agent: false, maxHeaderSize: 1 << 16 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          const h = res.headers;
          resolve({
            status: res.statusCode ?? 0,
            header: (n) => [h[n.toLowerCase()] ?? []].flat()[0],
            headers: h,
            setCookies: h['set-cookie'] ?? [],
            body,
          });
        });
      },
    );
    req.on('error', reject);
  });
}

/** Logs alice in for real, through the service's forwardAuth and the provider's login form; returns the Cookie header. */
export async function loginFor(base: string): Promise<string> {
  let start: Answer | undefined;
  for (let i = 0; i < 50; i++) {
    start = await forward(base, '/dashboard?tab=1');
    if (start.status === 302) break;
    await new Promise((r) => setTimeout(r, 200)); // provider metadata still loading
  }
  if (start?.status !== 302) throw new Error(`expected a login redirect, got ${start?.status}`);
  const tx = cookieHeader(start.setCookies);
  const callback = new URL(await signInAtProvider(start.header('location') ?? '', 'alice'));
  const done = await forward(base, callback.pathname + callback.search, tx);
  if (done.status !== 302) throw new Error(`callback failed with ${done.status}: ${done.body}`);
  return cookieHeader(done.setCookies, tx);
}

/**
 * What a browser holds after one more check: the cookie updated by the answer's
 * Set-Cookie (a touch re-issues a cookie session once a minute). wrk ignores
 * Set-Cookie, so without this every answer after the first minute would carry a
 * refreshed cookie no browser would still be missing.
 */
export async function followCookies(base: string, cookie: string): Promise<string> {
  const res = await forward(base, '/dashboard?tab=1', cookie);
  if (res.status !== 200) throw new Error(`session check failed: ${res.status}`);
  return res.setCookies.length === 0 ? cookie : cookieHeader(res.setCookies, cookie);
}

/** Checks once, before loading, that the cookie passes with the right identity headers. */
export async function assertAllowed(base: string, cookie: string): Promise<void> {
  const res = await forward(base, '/dashboard?tab=1', cookie);
  const user = res.header('x-forwarded-user');
  const email = res.header('x-forwarded-email');
  const groups = res.header('x-auth-groups');
  if (
    res.status !== 200 ||
    user !== 'Alice Andersen' ||
    email !== 'alice@example.test' ||
    groups !== 'demo-users,admins'
  ) {
    throw new Error(`session check failed: ${res.status} user=${user} email=${email} groups=${groups}`);
  }
}

export { ORIGIN };
