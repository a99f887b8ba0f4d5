import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { faultScript, figures, recoveryMs, runLoad, type CheckRecord } from '../support/check-load.js';
import { cookieHeader, DOMAIN, startHarness, type Harness } from '../support/harness.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { passes, startReplicas, type Replicas } from '../support/replicas.js';
import { seedSession } from '../support/seed-session.js';

// The fault-injection suite with SESSION_FALLBACK=cookie: a real redis-server frozen (SIGSTOP)
// or killed (SIGKILL) for 5 s under ~300 checks/s over 50 sessions. Every check must pass
// (served from the sessions' fallback copies), none slower than 1 s.
const RATE = 300;
const FAULT_AT = 1000;
const FAULT_MS = 5000;
const FALLBACK = {
  SESSION_FALLBACK: 'cookie',
  SESSION_CACHE_TTL: '0',
  LOG_LEVEL: 'error',
  REDIS_COMMAND_TIMEOUT: '250',
};

let redis: RedisServer;
let h: Harness;
let cookies: string[];
beforeAll(async () => {
  redis = await startRedisServer({ persistent: true });
  h = await startHarness({ store: 'redis', env: { REDIS_URL: redis.url, ...FALLBACK } });
  cookies = [];
  for (let i = 0; i < 50; i++) cookies.push(await seeded(h, `user-${i}`));
  await new Promise((r) => setTimeout(r, 1500)); // the append-only file is fsynced every second
}, 60_000);
afterAll(async () => {
  await h?.close();
  await redis?.stop();
});

/** Seeds one session (and its copy), trying again if a busy machine let one write time out. */
async function seeded(harness: Harness, sub: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const { cookie } = await seedSession(harness.service.sessions, { sub });
    if (cookie.includes('session=s:') && cookie.includes('session_fb=')) return cookie;
    if (attempt >= 5) throw new Error(`could not seed a Redis session with a copy: ${cookie}`);
    await new Promise((r) => setTimeout(r, 1100));
  }
}

/** Polls `check` until it holds. */
async function eventually(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Resolves once the service's /readyz says Redis answers again. */
function ready(harness: Harness): Promise<void> {
  return eventually(
    async () => ((await (await fetch(`${harness.probeUrl}/readyz`)).json()) as { status: string }).status === 'ready',
  );
}

let readyAfterMs = -1;

function report(name: string, records: CheckRecord[], back: number) {
  const during = figures(records, FAULT_AT, FAULT_AT + FAULT_MS);
  const result = {
    ...during,
    total: records.length,
    failedTotal: records.filter((r) => r.status !== 200).length,
    recoveryMs: recoveryMs(records, back),
    before: figures(records, 0, FAULT_AT).p99,
    after: figures(records, back + 2000, Infinity).p99,
    redisPathBackMs: readyAfterMs,
  };
  process.stdout.write(`redis-fallback ${name}: ${JSON.stringify(result)}\n`);
  return result;
}

function fault(start: () => void | Promise<void>, end: () => void | Promise<void>, onBack: () => void) {
  return faultScript(FAULT_AT, FAULT_MS, start, async () => {
    await end();
    onBack();
    // How long until the service reads Redis again (readiness no longer degraded).
    const returned = performance.now();
    await ready(h);
    readyAfterMs = Math.round(performance.now() - returned);
  });
}

describe('redis outage with SESSION_FALLBACK=cookie', () => {
  it('fails no check while Redis is killed for 5 s and restarted with its data', async () => {
    let back = Infinity;
    const records = await runLoad({
      baseUrl: h.baseUrl,
      domain: DOMAIN,
      cookies,
      rate: RATE,
      durationMs: FAULT_AT + FAULT_MS + 3000,
      script: fault(
        () => redis.kill(),
        () => redis.restart(),
        () => (back = FAULT_AT + FAULT_MS),
      ),
    });
    const result = report('SIGKILL', records, back);
    expect(result.checks).toBeGreaterThan(500);
    expect(result.redisPathBackMs).toBeGreaterThanOrEqual(0);
    expect(result.redisPathBackMs).toBeLessThan(3000);
    expect(result.failedTotal).toBe(0);
    for (const cookie of cookies.slice(0, 5)) expect((await h.forward('/', { cookie })).status).toBe(200);
  }, 30_000);

  it('fails no check and answers every one within 1 s while Redis is frozen for 5 s', async () => {
    let back = Infinity;
    const records = await runLoad({
      baseUrl: h.baseUrl,
      domain: DOMAIN,
      cookies,
      rate: RATE,
      durationMs: FAULT_AT + FAULT_MS + 3000,
      script: fault(
        () => redis.signal('SIGSTOP'),
        () => redis.signal('SIGCONT'),
        () => (back = FAULT_AT + FAULT_MS),
      ),
    });
    const result = report('SIGSTOP', records, back);
    expect(result.checks).toBeGreaterThan(500);
    expect(result.redisPathBackMs).toBeGreaterThanOrEqual(0);
    expect(result.redisPathBackMs).toBeLessThan(3000);
    expect(Math.max(...records.map((r) => r.ms))).toBeLessThan(1000);
    expect(result.failedTotal).toBe(0);
  }, 30_000);

  it('keeps /readyz at 200 while the fallback serves, listing Redis as degraded', async () => {
    redis.signal('SIGSTOP');
    try {
      const started = performance.now();
      const res = await fetch(`${h.probeUrl}/readyz`);
      const body = (await res.json()) as { status: string; problems: string[]; degraded: string[] };
      expect(res.status).toBe(200);
      expect(body.status).toBe('degraded');
      expect(body.degraded.join()).toMatch(/redis session store unreachable/);
      expect(body.problems.join()).toMatch(/redis session store unreachable/);
      expect(performance.now() - started).toBeLessThan(1000);
    } finally {
      redis.signal('SIGCONT');
    }
    await ready(h);
  });

  it('sends a navigation without a usable copy to login during the outage, and gives XHR 503 with Retry-After', async () => {
    const withoutCopy = (await seeded(h, 'no-copy')).replace(/; [^;=]*session_fb=[^;]*/, '');
    expect(withoutCopy).not.toMatch(/session_fb=/);
    redis.signal('SIGSTOP');
    try {
      const xhr = await h.forward('/', { cookie: withoutCopy, accept: 'application/json' });
      expect(xhr.status).toBe(503);
      expect(xhr.headers['retry-after']).toBe('1');
      const nav = await h.forward('/', { cookie: withoutCopy, accept: 'text/html' });
      expect(nav.status).toBe(302);
      expect(nav.headers.location?.startsWith(h.idp.issuer)).toBe(true);
    } finally {
      redis.signal('SIGCONT');
    }
    await ready(h);
  });

  it('refuses a session logged out before the outage when it is replayed during it', async () => {
    const cookie = await seeded(h, 'logged-out');
    expect((await h.forward('/oauth2/logout/local', { cookie })).status).toBe(204);
    redis.signal('SIGSTOP');
    try {
      expect((await h.forward('/', { cookie, accept: 'application/json' })).status).not.toBe(200);
    } finally {
      redis.signal('SIGCONT');
    }
    await eventually(async () => (await h.forward('/', { cookie, accept: 'application/json' })).status === 401);
  });
});

describe('logins and logouts during an outage on two replicas (SESSION_FALLBACK=cookie)', () => {
  let r: Replicas;
  beforeAll(async () => {
    r = await startReplicas({ store: 'redis', env: FALLBACK });
  }, 60_000);
  afterAll(async () => r?.close());

  it('a logout during the outage clears the cookies at once and is refused everywhere after Redis returns', async () => {
    const cookie = await r.a.login('alice');
    expect(cookie).toMatch(/session_fb=/);
    r.redis.signal('SIGSTOP');
    let out: string;
    try {
      expect(await passes(r.b, cookie)).toBe(true);
      const res = await r.a.forward('/oauth2/logout/local', { cookie });
      expect(res.status).toBe(204);
      out = cookieHeader(res.headers['set-cookie'], cookie);
      expect(out).not.toMatch(/session/);
      expect(await passes(r.a, cookie)).toBe(false); // refused on the replica that logged out, at once
      expect(await passes(r.b, cookie)).toBe(true); // the documented bound: until the copy's fbUntil
    } finally {
      r.redis.signal('SIGCONT');
    }
    await eventually(async () => !(await passes(r.b, cookie)));
    expect(await passes(r.a, cookie)).toBe(false);
  }, 30_000);

  it('a login during the outage works on both replicas, and moves into Redis when it returns', async () => {
    await r.redis.kill();
    let cookie: string;
    try {
      cookie = await r.a.login('bob');
      expect(cookie).not.toMatch(/session=s:/);
      expect(await passes(r.a, cookie)).toBe(true);
      expect(await passes(r.b, cookie)).toBe(true);
    } finally {
      await r.redis.restart();
    }
    let moved = '';
    await eventually(async () => {
      const res = await r.b.forward('/', { cookie, accept: 'application/json' });
      moved = cookieHeader(res.headers['set-cookie'], cookie);
      return res.status === 200 && moved.includes('session=s:');
    });
    expect(moved).toMatch(/session_fb=/);
    expect(await passes(r.a, moved)).toBe(true);
    r.redis.signal('SIGSTOP');
    try {
      expect(await passes(r.a, moved)).toBe(true); // now a Redis session with its copy
    } finally {
      r.redis.signal('SIGCONT');
    }
  }, 30_000);
});

describe('SESSION_FALLBACK_RESTORE after Redis lost its data', () => {
  it.each([
    ['true', 200],
    ['false', 401],
  ])(
    'with SESSION_FALLBACK_RESTORE=%s a session is %s after a restart without persistence',
    async (restore, status) => {
      const volatile = await startRedisServer();
      const service = await startHarness({
        store: 'redis',
        env: { REDIS_URL: volatile.url, ...FALLBACK, SESSION_FALLBACK_RESTORE: restore },
      });
      try {
        const cookie = await seeded(service, 'restored');
        await volatile.kill();
        await volatile.restart();
        await ready(service);
        const res = await service.forward('/', { cookie, accept: 'application/json' });
        expect(res.status).toBe(status);
        if (status === 200) {
          const next = cookieHeader(res.headers['set-cookie'], cookie);
          expect(next).not.toBe(cookie);
          expect((await service.forward('/', { cookie: next, accept: 'application/json' })).status).toBe(200);
        }
      } finally {
        await service.close();
        await volatile.stop();
      }
    },
    30_000,
  );
});
