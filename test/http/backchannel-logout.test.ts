import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SignJWT, generateKeyPair, type JWTPayload } from 'jose';
import supertest from 'supertest';
import { BACKCHANNEL_LOGOUT_EVENT } from '../../src/oidc/logout-token.js';
import { parseCookies } from '../../src/session/cookies.js';
import { CLIENT, type Harness } from '../support/harness.js';
import { ProviderBrowser, loginWith } from '../support/provider-browser.js';
import { passes, startReplicas, type Replicas } from '../support/replicas.js';

const PATH = '/oauth2/logout/backchannel';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe.each(['redis', 'cookie'] as const)('back-channel logout, two replicas, %s store on one redis', (store) => {
  let r: Replicas;
  beforeAll(async () => {
    r = await startReplicas({ store, env: { SESSION_CACHE_TTL: '1' } });
  });
  afterAll(async () => {
    await r.close();
  });

  const session = async (h: Harness, cookie: string) => (await h.service.sessions.get(parseCookies(cookie)))?.session;
  const claims = (over: JWTPayload = {}): JWTPayload => {
    const now = Math.floor(Date.now() / 1000);
    return {
      iss: r.idp.issuer,
      aud: CLIENT.clientId,
      iat: now,
      exp: now + 120,
      jti: randomUUID(),
      events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
      ...over,
    };
  };
  const signed = (payload: JWTPayload, key: Parameters<SignJWT['sign']>[0] = r.idp.privateKey, alg = 'RS256') =>
    new SignJWT(payload).setProtectedHeader({ alg, kid: 'dev-key', typ: 'logout+jwt' }).sign(key);
  const post = (body: string, type = 'application/x-www-form-urlencoded') =>
    supertest(r.a.baseUrl).post(PATH).set('Content-Type', type).send(body);
  const form = (token: string) => new URLSearchParams({ logout_token: token }).toString();
  const allPass = async (cookies: string[]) => {
    for (const h of [r.a, r.b]) for (const c of cookies) if (!(await passes(h, c))) return false;
    return true;
  };
  const allRefused = async (cookies: string[]) => {
    for (const h of [r.a, r.b]) for (const c of cookies) if (await passes(h, c)) return false;
    return true;
  };

  it('ends the sessions of the sid on both replicas within 5 s when the provider signs the user out', async () => {
    const browser = new ProviderBrowser();
    const onA = await loginWith(r.a, browser);
    const onB = await loginWith(r.b, browser);
    const bystander = await r.a.login('bob');
    expect(await allPass([onA, onB, bystander])).toBe(true);
    const delivered: string[] = [];
    const failed: string[] = [];
    r.idp.provider.on('backchannel.success', (_ctx: unknown, client: { clientId: string }) =>
      delivered.push(client.clientId),
    );
    r.idp.provider.on('backchannel.error', (_ctx: unknown, err: Error) => failed.push(err.message));

    const logout = await r.b.forward('/oauth2/logout', { cookie: onB });
    expect(logout.status).toBe(302);
    await browser.endSession(logout.headers.location ?? '');
    expect(failed).toEqual([]);
    expect(delivered).toEqual([CLIENT.clientId]);
    await sleep(1100);
    expect(await allRefused([onA, onB])).toBe(true);
    expect(await allPass([bystander])).toBe(true);
  });

  it('ends every session of the sub when the token has no sid, and answers 200 no-store', async () => {
    const first = await r.a.login('soren');
    const second = await r.b.login('soren');
    const sid = (await session(r.a, first))?.sid;
    expect((await session(r.b, second))?.sid).not.toBe(sid);
    const res = await post(form(await signed(claims({ sub: 'soren' }))));
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-cache, no-store');
    expect(res.headers['set-cookie']).toBeUndefined();
    await sleep(1100);
    expect(await allRefused([first, second])).toBe(true);
    // A login after the cut-off is a new session, and works.
    await sleep(1000);
    const again = await r.a.login('soren');
    expect(await allPass([again])).toBe(true);
  });

  it('refuses every invalid request with 400 invalid_request and ends nothing', async () => {
    const cookie = await r.a.login('alice');
    const target = await session(r.a, cookie);
    const sid = target?.sid as string;
    const sub = target?.sub as string;
    const foreign = (await generateKeyPair('RS256')).privateKey;
    const secret = new TextEncoder().encode(CLIENT.clientSecret);
    const now = Math.floor(Date.now() / 1000);
    const { events: _events, ...withoutEvents } = claims({ sid });
    const replayed = await signed(claims({ sid: 'no-such-sid' }));
    expect((await post(form(replayed))).status).toBe(200);
    const bodies: Record<string, [string, string?]> = {
      'a foreign signature': [form(await signed(claims({ sid }), foreign))],
      'alg none': [form(`${b64({ alg: 'none', typ: 'logout+jwt' })}.${b64(claims({ sid }))}.`)],
      'HS256 with the client secret': [form(await signed(claims({ sid }), secret, 'HS256'))],
      'another audience': [form(await signed(claims({ sid, aud: 'another-app' })))],
      'another issuer': [form(await signed(claims({ sid, iss: 'http://evil.test' })))],
      'no events': [form(await signed(withoutEvents))],
      'events without the logout event': [form(await signed(claims({ sid, events: { other: {} } })))],
      'a nonce': [form(await signed(claims({ sid, nonce: 'n' })))],
      'neither sid nor sub': [form(await signed(claims()))],
      expired: [form(await signed(claims({ sid, iat: now - 400, exp: now - 200 })))],
      'iat in the future': [form(await signed(claims({ sid, iat: now + 600, exp: now + 720 })))],
      'no exp': [form(await signed({ ...claims({ sid }), exp: undefined }))],
      'the id_token itself': [form(target?.idToken as string)],
      'a replayed jti': [form(replayed)],
      'no logout_token': ['other=1'],
      'a JSON body': [JSON.stringify({ logout_token: await signed(claims({ sid })) }), 'application/json'],
      'a body over 16 KB': [form(await signed(claims({ sid, pad: 'x'.repeat(17 * 1024) })))],
    };
    for (const [name, [body, type]] of Object.entries(bodies)) {
      const res = await post(body, type);
      expect({ name, status: res.status, error: res.body.error }).toEqual({
        name,
        status: 400,
        error: 'invalid_request',
      });
      expect(typeof res.body.error_description).toBe('string');
    }
    expect((await supertest(r.a.baseUrl).get(PATH)).status).toBe(405);
    await sleep(1100);
    expect(await allPass([cookie])).toBe(true);
    expect((await session(r.b, cookie))?.sub).toBe(sub);
  });

  it('is refused through forwardAuth, which carries no body', async () => {
    const res = await r.a.forward(PATH, { method: 'POST' });
    expect(res.status).toBe(400);
  });
});
