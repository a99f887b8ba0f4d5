import { afterEach, describe, expect, it } from '@jest/globals';
import { isAppError } from '../../src/errors/app-error.js';
import { fakeClock, type FakeClock } from '../support/fake-clock.js';
import { fallbackManager, OutageBackend } from '../support/fallback-manager.js';
import { asCookies, newSession } from '../support/sessions.js';

const GROUPS = Array.from({ length: 200 }, (_, i) => `${String(i).padStart(8, '0')}-1111-2222-3333-444455556666`);

/** True when `work` fails with the 503 a Redis outage gives (no session could stand in). */
async function unavailable(work: Promise<unknown>): Promise<boolean> {
  try {
    await work;
    return false;
  } catch (err) {
    return isAppError(err) && err.code === 'SESSION_STORE_UNAVAILABLE';
  }
}

/** A browser's cookies after `setCookies`, cleared ones removed. */
function jar(before: Record<string, string>, setCookies: readonly string[]): Record<string, string> {
  const next = new Map(Object.entries(before));
  for (const line of setCookies) {
    const [pair] = line.split(';');
    const name = pair.slice(0, pair.indexOf('='));
    if (/max-age=0/i.test(line)) next.delete(name);
    else next.set(name, pair.slice(pair.indexOf('=') + 1));
  }
  return Object.fromEntries(next);
}

/** Polls `check` until it holds (the queued writes are retried every second). */
async function eventually(check: () => Promise<boolean>, timeoutMs = 4000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

let clock: FakeClock | undefined;
afterEach(() => clock?.restore());

describe('SESSION_FALLBACK=cookie: sessions across a Redis outage', () => {
  it('writes a copy at login and serves the session from it while Redis is unreachable', async () => {
    const { sessions, backend, metrics } = fallbackManager();
    const cookies = asCookies(await sessions.create(newSession(), {}));
    expect(Object.keys(cookies).sort()).toEqual(['_t_session', '_t_session_fb']);
    expect(sessions.cookieNames()).toContain('_t_session_fb');
    backend.down = true;
    const active = await sessions.get(cookies);
    expect(active).toMatchObject({ degraded: true, session: { sub: 'user-1' } });
    expect(active?.session.accessToken).toBeUndefined();
    expect(await metrics.registry.getSingleMetricAsString('idp_session_fallback_total')).toMatch(/event="copy"} 1/);
  });

  it("gives no session for alice's copy paired with bob's s: cookie, a tampered copy, or none", async () => {
    const { sessions, backend } = fallbackManager();
    const alice = asCookies(await sessions.create(newSession({ sub: 'alice' }), {}));
    const bob = asCookies(await sessions.create(newSession({ sub: 'bob' }), {}));
    backend.down = true;
    expect(await unavailable(sessions.get({ ...bob, _t_session_fb: alice._t_session_fb }))).toBe(true);
    const fb = alice._t_session_fb;
    const tampered = `${fb.slice(0, -10)}${fb.at(-10) === 'A' ? 'B' : 'A'}${fb.slice(-9)}`;
    expect(await unavailable(sessions.get({ ...alice, _t_session_fb: tampered }))).toBe(true);
    expect(await unavailable(sessions.get({ _t_session: alice._t_session }))).toBe(true);
    expect((await sessions.get(alice))?.session.sub).toBe('alice');
  });

  it('stops trusting a copy SESSION_FALLBACK_MAX_AGE after Redis last confirmed it', async () => {
    const { sessions, backend } = fallbackManager({ maxAge: 60 });
    const cookies = asCookies(await sessions.create(newSession(), {}));
    clock = fakeClock();
    backend.down = true;
    clock.advance(59);
    expect(await sessions.get(cookies)).toBeDefined();
    clock.advance(2);
    expect(await unavailable(sessions.get(cookies))).toBe(true);
  });

  it('never uses a copy when Redis answers "not found", and clears it', async () => {
    const { sessions, backend } = fallbackManager();
    const session = newSession({ sid: 'op-sid' });
    const cookies = asCookies(await sessions.create(session, {}));
    expect(await sessions.endBySid('op-sid')).toBe(1); // ended elsewhere (back-channel)
    expect(await sessions.get(cookies)).toBeUndefined();
    expect(sessions.leftovers(cookies).join()).toMatch(/^_t_session_fb=;/);
    backend.down = true; // a replayed copy during a later outage: this replica saw "not found"
    expect(await unavailable(sessions.get(cookies))).toBe(true);
  });

  it('refuses a session logged out while Redis was up, also during a later outage', async () => {
    const { sessions, backend } = fallbackManager();
    const cookies = asCookies(await sessions.create(newSession(), {}));
    const { setCookies } = await sessions.end(cookies);
    expect(setCookies.join()).toMatch(/_t_session_fb=;/);
    backend.down = true;
    expect(await unavailable(sessions.get(cookies))).toBe(true);
  });

  it('queues the delete of a logout during an outage: refused here at once, everywhere once Redis returns', async () => {
    const backend = new OutageBackend();
    const a = fallbackManager({ backend });
    const b = fallbackManager({ backend });
    const cookies = asCookies(await a.sessions.create(newSession(), {}));
    backend.down = true;
    const { setCookies } = await a.sessions.end(cookies);
    expect(setCookies.filter((c) => /Max-Age=0/i.test(c))).toHaveLength(2);
    expect(await unavailable(a.sessions.get(cookies))).toBe(true);
    expect(await b.sessions.get(cookies)).toBeDefined(); // the documented bound: until fbUntil
    backend.down = false;
    await eventually(async () => (await b.sessions.get(cookies)) === undefined);
    expect(await b.sessions.get(cookies)).toBeUndefined();
    expect(await a.sessions.get(cookies)).toBeUndefined();
  });

  it('gives a login during an outage a cookie session that works on every replica and moves into Redis', async () => {
    const backend = new OutageBackend();
    const a = fallbackManager({ backend });
    const b = fallbackManager({ backend });
    backend.down = true;
    const outage = asCookies(await a.sessions.create(newSession({ sub: 'carol' }), {}));
    expect(outage._t_session.startsWith('s:')).toBe(false);
    expect((await a.sessions.get(outage))?.session.sub).toBe('carol');
    expect(await b.sessions.get(outage)).toMatchObject({ degraded: true, session: { sub: 'carol' } });
    backend.down = false;
    const moved = await b.sessions.get(outage);
    const after = jar(outage, moved?.setCookies ?? []);
    expect(after._t_session.startsWith('s:')).toBe(true);
    expect(after._t_session_fb).toBeDefined();
    expect(moved?.degraded).toBeUndefined();
    // A parallel request with the old cookie on the other replica lands on the same record.
    const again = await a.sessions.get(outage);
    expect(jar(outage, again?.setCookies ?? [])._t_session).toBe(after._t_session);
    expect((await a.sessions.get(after))?.session.sub).toBe('carol');
  });

  it('never migrates an outage session logged out during the outage', async () => {
    const backend = new OutageBackend();
    const a = fallbackManager({ backend });
    const b = fallbackManager({ backend });
    backend.down = true;
    const outage = asCookies(await a.sessions.create(newSession(), {}));
    await a.sessions.end(outage);
    expect(await a.sessions.get(outage)).toBeUndefined();
    backend.down = false;
    await eventually(async () => (await b.sessions.get(outage)) === undefined);
    expect(await b.sessions.get(outage)).toBeUndefined();
  });

  it('skips a copy that cannot fit one cookie chunk: counted, warned once, 503 during an outage', async () => {
    const { sessions, backend, metrics, lines } = fallbackManager({
      headers: [{ name: 'X-Groups', value: '{{ .claims.groups }}' }],
    });
    const claims = { sub: 'dave', groups: GROUPS };
    const first = asCookies(await sessions.create(newSession({ sub: 'dave', claims }), {}));
    await sessions.create(newSession({ sub: 'erin', claims: { ...claims, sub: 'erin' } }), {});
    expect(first._t_session_fb).toBeUndefined();
    expect(await metrics.registry.getSingleMetricAsString('idp_session_fallback_skipped_total')).toMatch(/ 2$/m);
    expect(lines.filter((l) => l.event === 'session_fallback_skipped')).toHaveLength(1);
    backend.down = true;
    expect(await unavailable(sessions.get(first))).toBe(true);
  });

  it('keeps a copy of a 200-group user with a 2-group rule, and the rule holds during the outage', async () => {
    const rules = [{ name: 'groups', anyOf: [GROUPS[3], GROUPS[99]] }];
    const { sessions, backend } = fallbackManager({ rules });
    const cookies = asCookies(await sessions.create(newSession({ claims: { sub: 'x', groups: GROUPS } }), {}));
    expect(cookies._t_session_fb.length).toBeLessThan(3800);
    backend.down = true;
    expect((await sessions.get(cookies))?.session.claims.groups).toEqual([GROUPS[3], GROUPS[99]]);
  });

  it('serves no copy when tokens must be forwarded (a copy has none)', async () => {
    const { sessions, backend } = fallbackManager({ forwardsTokens: true });
    const cookies = asCookies(await sessions.create(newSession(), {}));
    backend.down = true;
    expect(await unavailable(sessions.get(cookies))).toBe(true);
  });

  it.each([true, false])(
    'after Redis lost its data, restores a session from its copy once only when SESSION_FALLBACK_RESTORE=%s',
    async (restore) => {
      const { sessions, backend } = fallbackManager({ restore });
      const cookies = asCookies(await sessions.create(newSession({ sub: 'frank' }), {}));
      backend.wipe();
      const restored = await sessions.get(cookies);
      if (!restore) {
        expect(restored).toBeUndefined();
        return;
      }
      expect(restored?.session.sub).toBe('frank');
      const next = jar(cookies, restored?.setCookies ?? []);
      expect(next._t_session).not.toBe(cookies._t_session);
      expect((await sessions.get(next))?.session.sub).toBe('frank');
      expect(await sessions.get(cookies)).toBeUndefined(); // the old copy restores nothing twice
    },
  );

  it('never restores a session logged out while Redis kept its data, on any replica', async () => {
    const backend = new OutageBackend();
    const a = fallbackManager({ restore: true, backend });
    const b = fallbackManager({ restore: true, backend });
    const cookies = asCookies(await a.sessions.create(newSession(), {}));
    await a.sessions.end(cookies);
    expect(await b.sessions.get(cookies)).toBeUndefined();
    backend.wipe();
    // A data loss forgets the logout with everything else (the documented bound, fbUntil): the
    // replicas that ended it or saw it gone still refuse it; a new one restores a replayed copy once.
    expect(await a.sessions.get(cookies)).toBeUndefined();
    expect(await b.sessions.get(cookies)).toBeUndefined();
    const c = fallbackManager({ restore: true, backend });
    expect((await c.sessions.get(cookies))?.session.sub).toBe('user-1');
    expect(await c.sessions.get(cookies)).toBeUndefined();
  });
});
