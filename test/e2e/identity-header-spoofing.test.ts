import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Received } from '../../dev/demo-app.js';
import type { DevIdentityProvider } from '../../dev/identity-provider.js';
import { CASES, canonicalName, separatorSpellings } from '../support/header-spellings.js';
import { rawGet } from './support/raw-request.js';
import {
  BYPASS_PATH,
  freePort,
  loginWithFetch,
  originFor,
  startCaddy,
  startIdp,
  startNginx,
  startServiceFor,
  type Proc,
} from './support/stack.js';
import { startUpstream, type Upstream } from './support/upstream.js';

/** The headers the Caddy and nginx examples forward, so the ones whose client copies they must drop. */
const BUILT_IN = [
  'X-Forwarded-User',
  'X-Forwarded-Email',
  'X-Forwarded-Subject',
  'X-Forwarded-Client-Id',
  'X-Forwarded-Client-Name',
];
/** The sidecar also gets HEADERS, AUTHORIZATION_HEADER and ID_TOKEN_HEADER names (the examples would need them added). */
const SIDECAR_ENV = {
  HEADERS: JSON.stringify([{ name: 'X-Auth-Request-Groups', value: '{{ .claims.groups }}' }]),
  AUTHORIZATION_HEADER: 'X-Forwarded-Access-Token',
  ID_TOKEN_HEADER: 'X-Forwarded-Id-Token',
};
const SIDECAR_NAMES = [...BUILT_IN, 'X-Auth-Request-Groups', 'X-Forwarded-Access-Token', 'X-Forwarded-Id-Token'];
const MARK = 'spoofed';

const FRONTS = ['caddy', 'nginx', 'sidecar'] as const;
let idp: DevIdentityProvider;
const ports = new Map<string, number>();

beforeAll(async () => {
  for (const f of FRONTS) ports.set(f, await freePort());
  idp = await startIdp([...ports.values()].map(originFor));
});

afterAll(async () => {
  await idp?.close();
});

/** One attack per case variant, each carrying every `_`/`-` spelling of every name, valued `spoofed <spelling>`. */
function attacks(names: readonly string[]): { label: string; headers: [string, string][] }[] {
  return CASES.map(({ label, apply }) => ({
    label,
    headers: names.flatMap(separatorSpellings).map((s): [string, string] => [apply(s), `${MARK} ${apply(s)}`]),
  }));
}

/**
 * What the app got that it should not have: any spoofed value under any name, and any
 * spelling of an identity header other than the proxy's own `own[name]` value.
 */
function leaks(
  seen: Received['headers'],
  names: readonly string[],
  own: Readonly<Record<string, string>> = {},
): string[] {
  const identity = new Set(names.map(canonicalName));
  return Object.entries(seen)
    .filter(
      ([name, value]) => String(value).includes(MARK) || (identity.has(canonicalName(name)) && own[name] !== value),
    )
    .map(([name, value]) => `${name}: ${String(value)}`);
}

describe.each(FRONTS)('every spelling of every identity header, sent by a client through %s', (front) => {
  const names = front === 'sidecar' ? SIDECAR_NAMES : BUILT_IN;
  let origin: string;
  let upstream: Upstream;
  let proc: Proc | undefined;
  let stopService: () => Promise<void>;
  let cookie: string;

  beforeAll(async () => {
    const port = ports.get(front) ?? 0;
    origin = originFor(port);
    upstream = await startUpstream();
    if (front === 'sidecar') {
      const svc = await startServiceFor(idp, port, { UPSTREAM_URL: upstream.url, PORT: String(port), ...SIDECAR_ENV });
      stopService = () => svc.service.stop();
    } else {
      const svc = await startServiceFor(idp, port);
      stopService = () => svc.service.stop();
      proc =
        front === 'caddy'
          ? await startCaddy(port, svc.address, upstream.address)
          : await startNginx(port, svc.address, upstream.address);
    }
    cookie = await loginWithFetch(origin, 'alice');
  });

  afterAll(async () => {
    await proc?.stop();
    await stopService?.();
    await upstream?.close();
  });

  /** Sends the attack and returns what the app received for it. */
  async function send(path: string, headers: [string, string][]): Promise<Received> {
    const before = upstream.seen.length;
    const res = await rawGet(origin + path, [...headers, ['Accept', 'application/json']]);
    expect(res.status).toBe(200);
    expect(upstream.seen.length).toBe(before + 1);
    const seen = upstream.seen.at(-1)!;
    expect(seen.url).toBe(path);
    return seen;
  }

  it.each(attacks(names))('never reach the app on a bypass path without a session ($label)', async ({ headers }) => {
    expect(leaks((await send(BYPASS_PATH, headers)).headers, names)).toEqual([]);
  });

  it.each(attacks(names))('never reach the app on a bypass path with a session ($label)', async ({ headers }) => {
    expect(leaks((await send(BYPASS_PATH, [...headers, ['Cookie', cookie]])).headers, names)).toEqual([]);
  });

  it.each(attacks(names))(
    'are replaced by the signed-in user’s own identity and nothing else ($label)',
    async ({ headers }) => {
      const seen = await send('/api/whoami', [...headers, ['Cookie', cookie]]);
      expect([seen.user, seen.email, seen.headers['x-forwarded-subject']]).toEqual([
        'Alice Andersen',
        'alice@example.test',
        'alice',
      ]);
      const own = Object.fromEntries(names.map((n) => [n.toLowerCase(), seen.headers[n.toLowerCase()] as string]));
      expect(leaks(seen.headers, names, own)).toEqual([]);
    },
  );

  it.each(attacks(names))(
    'do not get a request without a session to the app: it ends in 401 ($label)',
    async ({ headers }) => {
      const before = upstream.seen.length;
      const res = await rawGet(`${origin}/api/whoami`, [...headers, ['Accept', 'application/json']]);
      expect(res.status).toBe(401);
      expect(JSON.parse(res.body)).toMatchObject({ error: 'unauthenticated' });
      expect(upstream.seen.length).toBe(before);
    },
  );
});
