/**
 * Sessions the benchmark seeds directly, through the service's own session manager
 * with the same configuration and secret as the service under test (so the service
 * opens them as it opens its own): an Entra-sized cookie session, and many distinct
 * redis sessions for a rotation that is not one hot cookie.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../src/config/index.js';
import { createLogger } from '../src/observability/logger.js';
import { createSessionManager } from '../src/session/create-session-manager.js';
import { nowSeconds, type Session } from '../src/session/session.js';
import { cookieHeader } from '../test/support/harness.js';

/** A token-shaped string of about `size` characters (three base64url parts). */
function fakeToken(seed: string, size: number): string {
  const body = Buffer.from(`${seed}-`.repeat(Math.ceil(size / seed.length)))
    .toString('base64url')
    .slice(0, Math.max(16, size - 400));
  return `eyJhbGciOiJSUzI1NiIsImtpZCI6ImJlbmNoIn0.${body}.${'s'.repeat(342)}`;
}

/**
 * A session the way Entra ID gives one for a user in `groups` groups: the group
 * object ids in the claims, an id_token, an access token and a refresh token.
 */
export function entraSession(groups = 150, now = nowSeconds()): Session {
  const oid = randomUUID();
  const claims = {
    sub: `bench-${oid}`,
    oid,
    tid: randomUUID(),
    name: 'Erika Entra-Mustermann',
    email: 'erika@example.test',
    preferred_username: 'erika@example.test',
    groups: Array.from({ length: groups }, () => randomUUID()),
    roles: ['reader', 'writer'],
    sid: randomUUID(),
  };
  return {
    sub: claims.sub,
    claims,
    sid: claims.sid,
    jti: randomUUID(),
    idToken: fakeToken('id', 1600),
    accessToken: fakeToken('access', 2000),
    refreshToken: `0.A${'r'.repeat(1400)}`,
    accessTokenExpiresAt: now + 3600,
    refreshedAt: now,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: now + 43_200,
  };
}

/** The n-th of many ordinary sessions (a user in two groups, ~2 KB of tokens). */
export function plainSession(n: number, now = nowSeconds()): Session {
  const claims = {
    sub: `user-${n}`,
    name: `User ${n}`,
    email: `user${n}@example.test`,
    groups: ['demo-users', 'staff'],
    sid: `sid-${n}`,
  };
  return {
    sub: claims.sub,
    claims,
    sid: claims.sid,
    idToken: fakeToken(`id${n}`, 900),
    accessToken: fakeToken(`at${n}`, 1200),
    createdAt: now,
    lastSeenAt: now,
    expiresAt: now + 43_200,
  };
}

/**
 * Creates `count` sessions made by `make` through a session manager configured
 * from `env` (the service's environment); returns the Cookie header of each.
 */
export async function seedSessions(
  env: Record<string, string>,
  count: number,
  make: (n: number) => Session,
): Promise<string[]> {
  const manager = createSessionManager(
    loadConfig({ ...env, PORT: '0', REDIS_COMMAND_TIMEOUT: '10000' }),
    createLogger('warn'),
  );
  try {
    for (let i = 0; manager.kind === 'redis' && i < 50; i++) {
      // Redis connects in the background.
      if (
        await manager.ping().then(
          () => true,
          () => false,
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const cookies: string[] = [];
    for (let i = 0; i < count; i += 200) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(200, count - i) }, (_, k) => manager.create(make(i + k), {})),
      );
      for (const setCookies of batch) cookies.push(cookieHeader(setCookies));
    }
    return cookies;
  } finally {
    await manager.close();
  }
}

/** Writes a wrk Lua script that sends each request with the next of `cookies` (round robin); returns its path. */
export function rotationScript(dir: string, cookies: readonly string[]): string {
  const file = join(dir, 'cookies.txt');
  writeFileSync(file, `${cookies.join('\n')}\n`);
  const script = join(dir, 'rotate.lua');
  writeFileSync(
    script,
    [
      'local cookies = {}',
      `for line in io.lines("${file}") do cookies[#cookies + 1] = line end`,
      // Each run starts at a random cookie: a run restarting at the first would meet the
      // sessions the previous run had just used.
      'local i = 0',
      'init = function() math.randomseed(os.time()) i = math.random(#cookies) end',
      'request = function()',
      '  i = i % #cookies + 1',
      '  wrk.headers["Cookie"] = cookies[i]',
      '  return wrk.format("GET", "/oauth2/auth")',
      'end',
    ].join('\n'),
  );
  return script;
}
