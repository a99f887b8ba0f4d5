import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseCookies } from '../../src/session/cookies.js';
import {
  CLIENT,
  SESSION_SECRET,
  cookieHeader,
  signInAtProvider,
  startHarness,
  type Harness,
} from '../support/harness.js';

interface LogLine {
  level: string;
  msg: string;
  event?: string;
  correlationId?: string;
  code?: string;
}

/** Everything a log line must never contain, collected while logging in for real. */
interface Secrets {
  sessionCookie: string;
  code: string;
  state: string;
  idToken: string;
  accessToken: string;
}

describe('structured logs', () => {
  let h: Harness;
  const secrets = {} as Secrets;
  let failedBody: { correlationId?: string };
  let lines: LogLine[];

  beforeAll(async () => {
    h = await startHarness({ store: 'memory', env: { LOG_LEVEL: 'trace' } });
    const start = await h.forward('/reports?q=1').expect(302);
    const tx = cookieHeader(start.headers['set-cookie']);
    const callback = new URL(await signInAtProvider(start.headers.location ?? '', 'alice'));
    secrets.code = callback.searchParams.get('code') ?? '';
    secrets.state = callback.searchParams.get('state') ?? '';
    const done = await h.forward(callback.pathname + callback.search, { cookie: tx }).expect(302);
    const cookie = cookieHeader(done.headers['set-cookie'], tx);
    const loaded = await h.service.sessions.get(parseCookies(cookie));
    secrets.sessionCookie = parseCookies(cookie)._t_session ?? '';
    secrets.idToken = loaded?.session.idToken ?? '';
    secrets.accessToken = loaded?.session.accessToken ?? '';
    await h.forward('/reports', { cookie }).expect(200);

    // The same callback again: the provider refuses the spent code.
    const replay = await h.forward(callback.pathname + callback.search, { cookie: tx, accept: 'application/json' });
    expect(replay.status).toBeGreaterThanOrEqual(400);
    failedBody = replay.body as { correlationId?: string };

    await h.forward('/oauth2/logout', { cookie }).expect(302);
    lines = h.logs.map((l) => JSON.parse(l) as LogLine);
  });
  afterAll(async () => {
    await h.close();
  });

  it('captured every secret it scans for', () => {
    expect(Object.keys(secrets).sort()).toEqual(['accessToken', 'code', 'idToken', 'sessionCookie', 'state']);
    for (const [name, value] of Object.entries(secrets))
      expect({ name, long: value.length >= 16 }).toEqual({ name, long: true });
  });

  it('writes one JSON line per login and per logout', () => {
    expect(lines.filter((l) => l.event === 'login')).toHaveLength(1);
    expect(lines.filter((l) => l.event === 'logout')).toHaveLength(1);
  });

  it('gives the login and logout lines a correlation id each', () => {
    const ids = lines.filter((l) => l.event === 'login' || l.event === 'logout').map((l) => l.correlationId);
    expect(ids).toEqual([expect.stringMatching(/^[\w.-]{8,64}$/), expect.stringMatching(/^[\w.-]{8,64}$/)]);
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('writes one line for the failed callback, with the correlation id the user was shown', () => {
    const failures = lines.filter((l) => l.msg === 'request failed');
    expect(failures).toHaveLength(1);
    expect(failedBody.correlationId).toMatch(/^[\w.-]{8,64}$/);
    expect(failures[0]?.correlationId).toBe(failedBody.correlationId);
    expect(failures[0]?.code).toBe('CODE_REJECTED');
    expect((failures[0] as { detail?: string }).detail).toMatch(/^token: invalid_grant: .+/);
  });

  it('never writes the session cookie, the code, the state, or the tokens', () => {
    const text = h.logs.join('');
    for (const [name, value] of Object.entries(secrets)) {
      expect({ name, leaked: text.includes(value) }).toEqual({ name, leaked: false });
    }
  });

  it('never writes the client secret or the session secret', () => {
    const text = h.logs.join('');
    expect(text.includes(CLIENT.clientSecret)).toBe(false);
    expect(text.includes(SESSION_SECRET)).toBe(false);
  });

  it('never writes a part of a token either (its signature or payload)', () => {
    const text = h.logs.join('');
    for (const token of [secrets.idToken, secrets.accessToken]) {
      for (const part of token.split('.').filter((p) => p.length >= 16)) expect(text.includes(part)).toBe(false);
    }
  });
});

describe('error lines for requests Traefik sends wrong', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { LOG_LEVEL: 'debug' } });
  });
  afterAll(async () => {
    await h.close();
  });

  it('logs a request without X-Forwarded-Host once, with the id in the page and the caller’s X-Request-Id', async () => {
    const res = await h.forward('/x', {
      accept: 'application/json',
      headers: { 'X-Forwarded-Host': '', 'X-Request-Id': 'req-0123456789' },
    });
    expect(res.status).toBe(400);
    expect(res.body.correlationId).toBe('req-0123456789');
    const failures = h.logs.map((l) => JSON.parse(l) as LogLine).filter((l) => l.msg === 'request failed');
    expect(failures.map((l) => [l.correlationId, l.code])).toEqual([['req-0123456789', 'MISSING_HEADER']]);
  });
});

describe('the reason an id_token was refused', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ store: 'memory' });
  });
  afterAll(async () => {
    await h.close();
  });

  /** Logs in through the provider, with `tamper` applied to the authorization URL; returns the failure line and the values it must not hold. */
  async function refusedLogin(
    tamper: (authorizationUrl: URL) => void,
  ): Promise<{ line: Record<string, unknown>; text: string; secrets: string[] }> {
    const start = await h.forward('/reports').expect(302);
    const authorizationUrl = new URL(start.headers.location ?? '');
    const secrets = [
      authorizationUrl.searchParams.get('nonce') ?? '',
      authorizationUrl.searchParams.get('state') ?? '',
    ];
    tamper(authorizationUrl);
    const callback = new URL(await signInAtProvider(authorizationUrl.href, 'alice'));
    secrets.push(callback.searchParams.get('code') ?? '');
    const tx = cookieHeader(start.headers['set-cookie']);
    const res = await h.forward(callback.pathname + callback.search, { cookie: tx, accept: 'application/json' });
    expect(res.status).toBe(400);
    const text = h.logs.find((l) => l.includes(String(res.body.correlationId)) && l.includes('request failed')) ?? '';
    return { line: JSON.parse(text) as Record<string, unknown>, text, secrets };
  }

  function expectNoSecrets(text: string, secrets: readonly string[]): void {
    expect(text).not.toMatch(/eyJ[\w-]{8,}/);
    for (const value of secrets) {
      expect(value.length).toBeGreaterThanOrEqual(16);
      expect(text.includes(value)).toBe(false);
    }
  }

  it('logs a nonce mismatch (a code issued for another login) with its reason and no token', async () => {
    const { line, text, secrets } = await refusedLogin((url) =>
      url.searchParams.set('nonce', 'a-nonce-of-another-login-0123456789'),
    );
    expect(line).toMatchObject({ level: 'warn', code: 'TOKEN_INVALID' });
    expect(line.detail).toMatch(/nonce/);
    expect(line.detail).toMatch(/claim nonce/);
    expect(line.cause).toMatchObject({
      message: expect.stringMatching(/"nonce"/),
      code: 'OAUTH_JWT_CLAIM_COMPARISON_FAILED',
    });
    expectNoSecrets(text, [...secrets, 'a-nonce-of-another-login-0123456789']);
  });

  it('logs a signature failure with its reason and no token', async () => {
    h.idp.signingKey = 'foreign';
    try {
      const { line, text, secrets } = await refusedLogin(() => undefined);
      expect(line).toMatchObject({ level: 'warn', code: 'TOKEN_INVALID' });
      expect(line.detail).toMatch(/signature verification failed/);
      expect(line.cause).toMatchObject({
        message: 'JWT signature verification failed',
        code: expect.stringMatching(/^OAUTH_/),
      });
      expectNoSecrets(text, secrets);
    } finally {
      h.idp.signingKey = 'published';
    }
  });
});
