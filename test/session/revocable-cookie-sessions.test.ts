import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import supertest from 'supertest';
import { startHarness, type Harness } from '../support/harness.js';
import { passes, startReplicas, type Replicas } from '../support/replicas.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Milliseconds until the replica refuses the cookie, polling; Infinity when it still passes after `limitMs`. */
async function refusedWithin(h: Harness, cookie: string, limitMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started <= limitMs) {
    if (!(await passes(h, cookie))) return Date.now() - started;
    await sleep(200);
  }
  return Infinity;
}

// SESSION_CACHE_TTL=3 (the default is 5): the revocation must show within the cache TTL, and the
// 2 s left of the 5 s bound absorb a busy machine's slow requests instead of a flaky deadline.
describe('cookie sessions with REDIS_URL, two replicas', () => {
  let r: Replicas;
  beforeAll(async () => {
    r = await startReplicas({ store: 'cookie', env: { SESSION_CACHE_TTL: '3' } });
  });
  afterAll(async () => {
    await r.close();
  });

  it.each([
    ['/oauth2/logout', 302],
    ['/oauth2/logout/local', 204],
  ])('a copy of the cookie taken before %s stops working on every replica within 5 s', async (path, status) => {
    const copy = await r.a.login('alice');
    const other = await r.a.login('alice'); // another browser of the same user stays signed in
    for (const h of [r.a, r.b]) expect(await passes(h, copy)).toBe(true); // now in both replicas' caches
    const out = await supertest(r.a.baseUrl).get(path).set('Cookie', copy);
    expect(out.status).toBe(status);
    expect(await passes(r.a, copy)).toBe(false);
    expect(await refusedWithin(r.b, copy, 5000)).toBeLessThanOrEqual(5000);
    for (const h of [r.a, r.b]) expect(await passes(h, other)).toBe(true);
  });
});

describe('cookie sessions without Redis', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ store: 'cookie' });
  });
  afterAll(async () => {
    await h.close();
  });

  it('cannot revoke a copy of the cookie (documented in docs/security.md); back-channel logout says so', async () => {
    const copy = await h.login('alice');
    const out = await supertest(h.baseUrl).get('/oauth2/logout/local').set('Cookie', copy);
    expect(out.status).toBe(204);
    expect(await passes(h, copy)).toBe(true);
    expect(h.service.sessions.revocable).toBe(false);
  });
});
