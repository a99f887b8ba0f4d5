import { describe, expect, it } from '@jest/globals';
import { MemoryBackend } from '../../src/session/memory-backend.js';
import { ServerSessionStore } from '../../src/session/server-store.js';
import { newSession } from '../support/sessions.js';

const NAME = '_idp_session';

function store(cacheSize: number): ServerSessionStore {
  return new ServerSessionStore({
    backend: new MemoryBackend(),
    secrets: ['s'.repeat(32)],
    app: { issuer: 'https://idp.example.test', clientId: 'app', domain: 'app.example.test' },
    cookieName: NAME,
    policy: { secure: true, sameSite: 'Lax' },
    lifetime: { maxAge: 3600, idleTimeout: 1800 },
    cacheSize,
  });
}

/** The signed cookie value a write set, and its id. */
async function signedCookie(s: ServerSessionStore): Promise<{ value: string; id: string }> {
  const { handle, setCookies } = await s.write(newSession());
  const value = decodeURIComponent((setCookies[0] ?? '').split(';')[0].slice(NAME.length + 1));
  return { value, id: handle };
}

const flip = (value: string, at: number): string =>
  value.slice(0, at) + (value[at] === 'A' ? 'B' : 'A') + value.slice(at + 1);

describe('the session-id signature and its cache', () => {
  it.each([0, 100])('names the same id on every read of a genuine cookie (cache size %i)', async (size) => {
    const s = store(size);
    const { value, id } = await signedCookie(s);
    for (let i = 0; i < 5; i++) expect(s.handle({ [NAME]: value })).toBe(id);
  });

  it('refuses a tampered signature or id after the genuine cookie was cached', async () => {
    const s = store(100);
    const { value, id } = await signedCookie(s);
    const dot = value.lastIndexOf('.');
    for (let i = 0; i < 3; i++) expect(s.handle({ [NAME]: value })).toBe(id);
    expect(s.handle({ [NAME]: flip(value, value.length - 2) })).toBeUndefined();
    expect(s.handle({ [NAME]: flip(value, 4) })).toBeUndefined();
    expect(s.handle({ [NAME]: value.slice(0, dot) })).toBeUndefined();
    expect(s.handle({ [NAME]: `${value}x` })).toBeUndefined();
    expect(s.handle({ [NAME]: value })).toBe(id);
  });

  it('verifies each of many distinct cookies seen once, none of them cached twice over', async () => {
    const s = store(10);
    const cookies = await Promise.all(Array.from({ length: 50 }, () => signedCookie(s)));
    for (const { value, id } of cookies) expect(s.handle({ [NAME]: value })).toBe(id);
    for (const { value, id } of cookies) expect(s.handle({ [NAME]: value })).toBe(id);
  });
});
