import { afterEach, describe, expect, it } from '@jest/globals';
import { fakeClock, type FakeClock } from '../../support/fake-clock.js';
import { startHarness, type Harness } from '../../support/harness.js';
import { asCookies } from '../../support/seed-session.js';
import { startRefreshProvider, type RefreshProvider } from '../../support/refresh-provider.js';

const JSON_ACCEPT = 'application/json';
let op: RefreshProvider | undefined;
let h: Harness | undefined;
let clock: FakeClock | undefined;

afterEach(async () => {
  clock?.restore();
  clock = undefined;
  await h?.close();
  await op?.idp.close();
  h = op = undefined;
});

async function setUp(store: 'cookie' | 'redis', env: Record<string, string> = {}) {
  op = await startRefreshProvider({ accessTokenTtl: 60, rotateRefreshToken: true });
  h = await startHarness({
    store,
    idp: op.idp,
    env: { AUTHORIZATION_HEADER: 'Authorization', TOKEN_REFRESH_MARGIN: '20', ...env },
  });
  const cookie = await h.login();
  const first = await h.forward('/', { cookie });
  expect(first.status).toBe(200);
  clock = fakeClock();
  return { h, op, cookie, token: first.headers.authorization };
}

describe.each(['redis', 'cookie'] as const)('token refresh (%s store)', (store) => {
  it('refreshes a due token once and forwards the new one', async () => {
    const { h, op, cookie, token } = await setUp(store);
    clock?.advance(45);
    const res = await h.forward('/', { cookie });
    expect(res.status).toBe(200);
    expect(res.headers.authorization).toMatch(/^Bearer /);
    expect(res.headers.authorization).not.toBe(token);
    expect(op.refreshes()).toBe(1);
    const metrics = await fetch(`${h.probeUrl}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/idp_token_refresh_total\{outcome="refreshed"\} 1/);
  });

  it('does not refresh a token that is not due', async () => {
    const { h, op, cookie, token } = await setUp(store);
    clock?.advance(30);
    const res = await h.forward('/', { cookie });
    expect(res.headers.authorization).toBe(token);
    expect(op.refreshes()).toBe(0);
  });

  it('ends the session on invalid_grant: navigation to login, fetch 401', async () => {
    const { h, op, cookie } = await setUp(store);
    const grant = await op.idp.provider.Grant.find(op.grants[0] ?? '');
    await grant?.destroy();
    clock?.advance(45);
    const fetchRes = await h.forward('/api', { cookie, accept: JSON_ACCEPT });
    expect(fetchRes.status).toBe(401);
    const nav = await h.forward('/page', { cookie });
    expect(nav.status).toBe(302);
    expect(nav.headers.location).toContain(op.idp.issuer);
  });

  it('keeps the session while the provider is down and answers 503 once the token expired', async () => {
    const { h, op, cookie, token } = await setUp(store);
    op.idp.tokenFault = { status: 503, body: { error: 'temporarily_unavailable' } };
    clock?.advance(45);
    const valid = await h.forward('/', { cookie });
    expect(valid.status).toBe(200);
    expect(valid.headers.authorization).toBe(token);
    clock?.advance(20);
    const expired = await h.forward('/api', { cookie, accept: JSON_ACCEPT });
    expect(expired.status).toBe(503);
  });
});

describe('token refresh outcomes', () => {
  it('never extends the session and logs no token', async () => {
    const { h, cookie } = await setUp('redis');
    const before = await h.service.sessions.get(asCookies(cookie));
    clock?.advance(45);
    const res = await h.forward('/', { cookie });
    expect(res.status).toBe(200);
    const after = await h.service.sessions.get(asCookies(cookie));
    expect(after?.session.createdAt).toBe(before?.session.createdAt);
    expect(after?.session.expiresAt).toBe(before?.session.expiresAt);
    expect(after?.session.refreshToken).not.toBe(before?.session.refreshToken);
    const log = h.logs.join('');
    expect(log).toContain('"event":"token_refresh"');
    for (const secret of [before?.session, after?.session].flatMap((s) => [
      s?.accessToken,
      s?.refreshToken,
      s?.idToken,
    ]))
      expect(log).not.toContain(String(secret));
  });

  it.each([
    ['interaction_required', 'AADSTS50076: MFA required'],
    ['invalid_grant', 'AADSTS70043: sign-in frequency'],
    ['login_required', 'login required'],
    ['consent_required', 'consent required'],
  ])('ends the session on %s', async (error, description) => {
    const { h, op, cookie } = await setUp('redis');
    op.idp.tokenFault = { status: 400, body: { error, error_description: description } };
    clock?.advance(45);
    expect((await h.forward('/api', { cookie, accept: JSON_ACCEPT })).status).toBe(401);
    expect(await h.service.sessions.get(asCookies(cookie))).toBeUndefined();
  });

  it('keeps the session on invalid_client (our registration, not the user)', async () => {
    const { h, op, cookie, token } = await setUp('redis');
    op.idp.tokenFault = { status: 401, body: { error: 'invalid_client' } };
    clock?.advance(45);
    const res = await h.forward('/', { cookie });
    expect(res.status).toBe(200);
    expect(res.headers.authorization).toBe(token);
  });

  it('refuses a refreshed id_token signed with a key the provider does not publish, and ends the session', async () => {
    const { h, op, cookie, token } = await setUp('redis');
    const before = await h.service.sessions.get(asCookies(cookie));
    op.idp.signingKey = 'foreign';
    clock?.advance(45);
    const res = await h.forward('/api', { cookie, accept: JSON_ACCEPT });
    expect(res.status).toBe(401);
    expect(res.headers.authorization).toBeUndefined();
    expect(op.refreshes()).toBe(1);
    expect(await h.service.sessions.get(asCookies(cookie))).toBeUndefined();
    expect(h.logs.join('')).toMatch(/"outcome":"rejected"/);
    expect(h.logs.join('')).not.toContain(token.slice('Bearer '.length));
    expect(before?.session.idToken).toBeDefined();
  });

  it('does not refresh when TOKEN_REFRESH=auto and no token is forwarded', async () => {
    op = await startRefreshProvider();
    h = await startHarness({ store: 'redis', idp: op.idp, env: { TOKEN_REFRESH_MARGIN: '20' } });
    const cookie = await h.login();
    clock = fakeClock();
    clock.advance(45);
    expect((await h.forward('/', { cookie })).status).toBe(200);
    expect(op.refreshes()).toBe(0);
  });

  it('refreshes with TOKEN_REFRESH=on although no token is forwarded', async () => {
    op = await startRefreshProvider();
    h = await startHarness({ store: 'redis', idp: op.idp, env: { TOKEN_REFRESH: 'on', TOKEN_REFRESH_MARGIN: '20' } });
    const cookie = await h.login();
    clock = fakeClock();
    clock.advance(45);
    expect((await h.forward('/', { cookie })).status).toBe(200);
    expect(op.refreshes()).toBe(1);
  });
});
