import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { fakeClock } from '../support/fake-clock.js';
import { startHarness, type Harness } from '../support/harness.js';
import { seedSession } from '../support/seed-session.js';

const HEADERS = JSON.stringify([
  { name: 'X-Auth-Name', value: '{{ .claims.name }}' },
  { name: 'X-Auth-Groups', value: '{{ .claims.groups }}' },
]);
/** The answer's headers that carry the decision (identity, caching, cookies). */
const decisive = (headers: Record<string, string | string[] | undefined>) =>
  Object.fromEntries(Object.entries(headers).filter(([k]) => !['date', 'connection', 'keep-alive'].includes(k)));

/** An Entra-sized session: 150 groups, three tokens, a cookie in several chunks. */
const entraClaims = () => ({
  sub: 'erika',
  name: 'Erika Entra',
  email: 'erika@example.test',
  groups: Array.from({ length: 150 }, () => randomUUID()),
});
const tokens = { idToken: 'i'.repeat(1600), accessToken: 'a'.repeat(2000), refreshToken: 'r'.repeat(1400) };

describe.each(['cookie', 'redis'] as const)('allowed checks answered from the cache (%s store)', (store) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ store, env: { HEADERS, SESSION_IDLE_TIMEOUT: '600' } });
  });
  afterAll(async () => {
    await h.close();
  });

  it('gives every cached answer exactly the headers of the first, uncached one', async () => {
    const seeded = await seedSession(h.service.sessions, { claims: entraClaims(), ...tokens });
    if (store === 'cookie') expect(seeded.setCookies.length).toBeGreaterThan(2);
    const first = await h.forward('/app', { cookie: seeded.cookie }).expect(200);
    expect(first.headers['x-auth-groups']?.split(',')).toHaveLength(150);
    for (let i = 0; i < 3; i++) {
      const again = await h.forward('/app', { cookie: seeded.cookie }).expect(200);
      expect(decisive(again.headers)).toEqual(decisive(first.headers));
    }
  });

  it('answers no-store with the identity headers, and adds Set-Cookie only when the session is touched', async () => {
    const clock = fakeClock();
    try {
      // Smaller than Entra's: a touched answer must fit the test client's 16 KB header limit.
      const claims = { ...entraClaims(), groups: ['g1', 'g2'] };
      const { cookie } = await seedSession(h.service.sessions, { claims });
      const first = await h.forward('/app', { cookie }).expect(200);
      expect(first.headers['cache-control']).toBe('no-store');
      expect(first.headers['content-length']).toBe('0');
      expect(first.headers['set-cookie']).toBeUndefined();
      expect(first.headers['x-auth-name']).toBe('Erika Entra');
      clock.advance(61); // a touch is due: lastSeenAt is written again
      const touched = await h.forward('/app', { cookie }).expect(200);
      expect(touched.headers['cache-control']).toBe('no-store');
      expect(touched.headers['x-auth-groups']).toBe('g1,g2');
      if (store === 'cookie') expect(touched.headers['set-cookie']?.length).toBeGreaterThan(0);
      else expect(touched.headers['set-cookie']).toBeUndefined();
    } finally {
      clock.restore();
    }
  });

  it('refuses a cached session once it is logged out on this replica', async () => {
    const { cookie } = await seedSession(h.service.sessions, { claims: entraClaims(), ...tokens });
    await h.forward('/app', { cookie }).expect(200);
    await h.forward('/app', { cookie }).expect(200);
    await h.forward('/oauth2/logout', { cookie }).expect(302);
    const after = await h.forward('/app', { cookie, accept: 'application/json' });
    // The cookie store without Redis cannot end a copy of its cookie (docs/security.md): only the redis store refuses it.
    expect(after.status).toBe(store === 'redis' ? 401 : 200);
  });

  it('refuses a cached session once it has been idle too long, and once it has reached its end', async () => {
    const clock = fakeClock();
    try {
      const idle = await seedSession(h.service.sessions, { claims: entraClaims() });
      const ending = await seedSession(h.service.sessions, {
        claims: entraClaims(),
        expiresAt: Math.floor(Date.now() / 1000) + 30,
      });
      for (const s of [idle, ending]) await h.forward('/app', { cookie: s.cookie }).expect(200);
      clock.advance(45); // past the absolute end of `ending`, not idle yet
      await h.forward('/app', { cookie: ending.cookie, accept: 'application/json' }).expect(401);
      clock.advance(600); // now `idle` has not been used for longer than SESSION_IDLE_TIMEOUT
      await h.forward('/app', { cookie: idle.cookie, accept: 'application/json' }).expect(401);
    } finally {
      clock.restore();
    }
  });

  it('never answers from the cache for a cookie that differs from a cached one only before its tail', async () => {
    const { cookie } = await seedSession(h.service.sessions, { claims: entraClaims(), ...tokens });
    await h.forward('/app', { cookie }).expect(200);
    // Same length, same last characters: the cache's fingerprint; one character changed near the start.
    const eq = cookie.indexOf('=') + 12;
    const forged = cookie.slice(0, eq) + (cookie[eq] === 'A' ? 'B' : 'A') + cookie.slice(eq + 1);
    await h.forward('/app', { cookie: forged, accept: 'application/json' }).expect(401);
    await h.forward('/app', { cookie }).expect(200);
  });
});
