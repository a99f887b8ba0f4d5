import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createClient } from 'redis';
import { DOMAIN, startHarness, type Harness } from '../support/harness.js';
import { parseCookies } from '../../src/session/cookies.js';
import { seedSession } from '../support/seed-session.js';

// What Redis holds is sealed under a key Redis never sees: reading it gives nothing away,
// and an edited or flipped record is no session, never a session with other claims.
let h: Harness;
let redis: ReturnType<typeof createClient>;
const NAMESPACE = 'idp:test-app:';
beforeAll(async () => {
  h = await startHarness({ store: 'redis', env: { SESSION_CACHE_TTL: '0' } });
  redis = createClient({ url: h.redis?.url });
  await redis.connect();
}, 30_000);
afterAll(async () => {
  await redis?.close();
  await h?.close();
});

async function recordKeys(): Promise<string[]> {
  return (await redis.keys(`${NAMESPACE}sess:*`)).sort();
}

async function seeded(sub: string) {
  const before = new Set(await recordKeys());
  const seed = await seedSession(h.service.sessions, {
    sub,
    claims: { sub, name: 'Alice Andersen', email: `${sub}@example.test`, groups: ['admins'] },
    idToken: 'eyJ.id-token-secret-value.sig',
    accessToken: 'access-token-secret-value',
    refreshToken: 'refresh-token-secret-value',
  });
  const key = (await recordKeys()).find((k) => !before.has(k)) as string;
  return { ...seed, key };
}

describe('sealed session records in redis', () => {
  it('stores no token, email or name in plaintext', async () => {
    const { key } = await seeded('alice');
    const raw = (await redis.get(key)) ?? '';
    expect(raw.length).toBeGreaterThan(0);
    for (const secret of ['id-token-secret-value', 'access-token-secret-value', 'refresh-token-secret-value']) {
      expect(raw).not.toContain(secret);
    }
    expect(raw).not.toContain('alice@example.test');
    expect(raw).not.toContain('Alice Andersen');
    const decoded = raw
      .split('.')
      .map((part) => Buffer.from(part, 'base64url').toString('latin1'))
      .join('');
    expect(decoded).not.toContain('alice@example.test');
    expect(decoded).not.toContain('Andersen');
  });

  it('treats a record with a flipped byte as no session (302 for a page, 401 for XHR)', async () => {
    const { key, cookie } = await seeded('flip');
    expect((await h.forward('/', { cookie })).status).toBe(200);
    const raw = (await redis.get(key)) ?? '';
    // One letter in the middle: in a plaintext record that would still parse, as a session with other values.
    let at = Math.floor(raw.length / 2);
    while (!/[a-z]/.test(raw[at] ?? 'a')) at++;
    await redis.set(key, raw.slice(0, at) + (raw[at] === 'x' ? 'y' : 'x') + raw.slice(at + 1));
    expect((await h.forward('/', { cookie })).status).toBe(302);
    expect((await h.forward('/', { cookie, accept: 'application/json' })).status).toBe(401);
  });

  it('refuses a record moved under another session id, and a plaintext record written by someone with Redis access', async () => {
    const alice = await seeded('mover-a');
    const bob = await seeded('mover-b');
    await redis.set(bob.key, (await redis.get(alice.key)) ?? '');
    expect((await h.forward('/', { cookie: bob.cookie })).status).toBe(302);
    const forged = JSON.stringify({ ...alice.session, sub: 'admin', claims: { sub: 'admin', groups: ['admins'] } });
    await redis.set(alice.key, forged);
    expect((await h.forward('/', { cookie: alice.cookie })).status).toBe(302);
  });

  it('seals the tokens apart, bound to their session: moved to another session they read as none', async () => {
    const alice = await seeded('tokens-a');
    const bob = await seeded('tokens-b');
    const aliceTokens = alice.key.replace(':sess:', ':tok:');
    const bobTokens = bob.key.replace(':sess:', ':tok:');
    const raw = (await redis.get(aliceTokens)) ?? '';
    expect(raw).toMatch(/^r1\./);
    for (const secret of ['id-token-secret-value', 'access-token-secret-value', 'refresh-token-secret-value'])
      expect(Buffer.from(raw.split('.')[3] ?? '', 'base64url').toString('latin1')).not.toContain(secret);
    const whole = await h.service.sessions.get(parseCookies(bob.cookie));
    expect(whole?.session.accessToken).toBe('access-token-secret-value');
    await redis.set(bobTokens, raw);
    const moved = await h.service.sessions.get(parseCookies(bob.cookie));
    expect(moved?.session.sub).toBe('tokens-b');
    expect([moved?.session.idToken, moved?.session.accessToken, moved?.session.refreshToken]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('deletes the tokens with the session at logout', async () => {
    const { key, cookie } = await seeded('tokens-logout');
    const tokens = key.replace(':sess:', ':tok:');
    expect(await redis.exists(tokens)).toBe(1);
    await h.forward('/oauth2/logout', { cookie }).expect(302);
    expect(await redis.exists([key, tokens])).toBe(0);
  });

  it('still serves and updates the session it sealed', async () => {
    const { cookie } = await seeded('reader');
    const res = await h.forward('/', { cookie });
    expect(res.status).toBe(200);
    expect(res.headers['x-forwarded-user']).toBeDefined();
    expect(DOMAIN).toBe('app.test');
  });
});
