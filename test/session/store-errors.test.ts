import { Writable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { createLogger } from '../../src/observability/logger.js';
import { MemoryBackend } from '../../src/session/memory-backend.js';
import { ServerSessionStore } from '../../src/session/server-store.js';
import { SessionManager } from '../../src/session/session-manager.js';
import { asCookies, newSession } from '../support/sessions.js';

/** A backend whose deletes and reads fail on demand, as a Redis going away would. */
class FlakyBackend extends MemoryBackend {
  failing = false;
  override async delete(key: string): Promise<boolean> {
    if (this.failing) throw new Error('connection lost');
    return super.delete(key);
  }
  override async get(key: string): Promise<string | undefined> {
    if (this.failing) throw new Error('connection lost');
    return super.get(key);
  }
}

function manager() {
  const lines: { msg: string; code?: string; err?: { message: string } }[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  const backend = new FlakyBackend();
  const lifetime = { maxAge: 3600, idleTimeout: 3600 };
  const store = new ServerSessionStore({
    backend,
    secrets: ['0123456789abcdef0123456789abcdef'],
    app: { issuer: 'https://idp.test/', clientId: 'c', domain: 'app.test' },
    cookieName: '_e_session',
    policy: { secure: true, sameSite: 'Lax' },
    lifetime,
    cacheSize: 10,
  });
  return {
    sessions: new SessionManager({ store, lifetime, cacheSize: 10, cacheTtl: 0, logger: createLogger('info', sink) }),
    backend,
    lines,
  };
}

describe('session store errors are never swallowed silently', () => {
  it('logs a previous session it could not end at login, and still logs the user in', async () => {
    const { sessions, backend, lines } = manager();
    const old = asCookies(await sessions.create(newSession(), {}));
    backend.failing = true;
    const fresh = await sessions.create(newSession(), old);
    expect(fresh).toHaveLength(1);
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: 'could not end the previous session at login',
        code: 'SESSION_STORE_UNAVAILABLE',
      }),
    );
  });

  it('logs a session it could not read at logout, and fails the logout that could not delete it (503)', async () => {
    const { sessions, backend, lines } = manager();
    const cookies = asCookies(await sessions.create(newSession(), {}));
    backend.failing = true;
    await expect(sessions.end(cookies)).rejects.toMatchObject({ code: 'SESSION_STORE_UNAVAILABLE' });
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'could not read the session being ended' }));
  });
});
