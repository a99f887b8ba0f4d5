import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from '@jest/globals';
import { createLogger } from '../../src/observability/logger.js';
import { MemoryBackend } from '../../src/session/memory-backend.js';
import { RevocationList } from '../../src/session/revocations.js';
import type { Session } from '../../src/session/session.js';
import { fakeClock, type FakeClock } from '../support/fake-clock.js';
import { newSession } from '../support/sessions.js';

/** A backend whose reads and writes fail on demand, as a Redis going away would. */
class FlakyBackend extends MemoryBackend {
  failing = false;
  override async get(key: string): Promise<string | undefined> {
    if (this.failing) throw new Error('connection lost');
    return super.get(key);
  }
  override async set(key: string, value: string, ttl: number): Promise<void> {
    if (this.failing) throw new Error('connection lost');
    return super.set(key, value, ttl);
  }
}

function list(cacheTtlSeconds = 5) {
  const lines: { msg: string }[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  const backend = new FlakyBackend();
  const options = { backend, ttlSeconds: 3600, cacheTtlSeconds, logger: createLogger('info', sink) };
  // Two replicas: two lists over one backend.
  return { backend, lines, a: new RevocationList(options), b: new RevocationList(options) };
}

const session = (over: Partial<Session> = {}): Session => ({ ...newSession(over), jti: 'cookie-1', ...over });

describe('RevocationList', () => {
  let clock: FakeClock | undefined;
  afterEach(() => clock?.restore());

  it('revokes one session by jti, every session of a sid, and sessions of a sub created up to the cut-off', async () => {
    const { a } = list(0);
    const alice = session({ sub: 'alice', sid: 'sid-1', jti: 'j1' });
    const sameSid = session({ sub: 'alice', sid: 'sid-1', jti: 'j2' });
    const bob = session({ sub: 'bob', sid: 'sid-2', jti: 'j3' });
    await a.revoke('jti', 'j1');
    expect([await a.isRevoked(alice), await a.isRevoked(sameSid), await a.isRevoked(bob)]).toEqual([
      true,
      false,
      false,
    ]);
    await a.revoke('sid', 'sid-1');
    expect(await a.isRevoked(sameSid)).toBe(true);
    clock = fakeClock();
    await a.revoke('sub', 'bob');
    expect(await a.isRevoked(bob)).toBe(true);
    clock.advance(2);
    const later = session({ sub: 'bob', sid: 'sid-3', jti: 'j4', createdAt: Math.floor(Date.now() / 1000) });
    expect(await a.isRevoked(later)).toBe(false);
  });

  it('applies on the replica that revoked at once, and on another within its cache TTL', async () => {
    const { a, b } = list(1);
    const s = session();
    expect(await b.isRevoked(s)).toBe(false); // cached on b now
    await a.revoke('jti', 'cookie-1');
    expect(await a.isRevoked(s)).toBe(true);
    await new Promise((r) => setTimeout(r, 1100));
    expect(await b.isRevoked(s)).toBe(true);
  });

  it('lets sessions through when the backend cannot be read (logged), and fails a revocation it cannot write with 503', async () => {
    const { a, backend, lines } = list(0);
    backend.failing = true;
    expect(await a.isRevoked(session())).toBe(false);
    expect(lines.map((l) => l.msg)).toContain('could not read the revocation list; the session is let through');
    await expect(a.revoke('jti', 'cookie-1')).rejects.toMatchObject({ code: 'SESSION_STORE_UNAVAILABLE' });
  });
});
