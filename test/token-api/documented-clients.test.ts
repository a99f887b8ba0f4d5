import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import { SidecarError, sidecarClient } from '../fixtures/sidecar-client.js';
import { texasClient } from '../fixtures/texas-client.js';
import { startEchoUpstream, type EchoUpstream } from '../support/echo-upstream.js';
import { startTokenApiProvider, TARGETS, type TokenApiProvider } from '../support/token-api-provider.js';
import { startServiceWithTokenApi, type ServiceWithTokenApi } from '../support/token-api-service.js';

let op: TokenApiProvider;
let echo: EchoUpstream;
let svc: ServiceWithTokenApi;

beforeAll(async () => {
  op = await startTokenApiProvider();
  echo = await startEchoUpstream();
  svc = await startServiceWithTokenApi(op, {
    DOWNSTREAM_APIS: JSON.stringify({
      downstream: {
        BaseUrl: echo.url,
        RelativePath: 'api/me',
        Scopes: [`${TARGETS.long}/.default`],
        HttpMethod: 'POST',
      },
    }),
  });
});
afterAll(async () => {
  await svc.close();
  await echo.close();
  await op.close();
});

describe('a texas client written to the documented contract', () => {
  it('runs unchanged with the NAIS_TOKEN_* variables the chart gives the app container', async () => {
    const port = new URL(svc.tokenApiUrl).port;
    const texas = texasClient({
      NAIS_TOKEN_ENDPOINT: `http://127.0.0.1:${port}/api/v1/token`,
      NAIS_TOKEN_EXCHANGE_ENDPOINT: `http://127.0.0.1:${port}/api/v1/token/exchange`,
      NAIS_TOKEN_INTROSPECTION_ENDPOINT: `http://127.0.0.1:${port}/api/v1/introspect`,
    });
    const user = await op.userToken('carol');
    expect(await texas.introspect(user)).toMatchObject({ active: true, sub: 'carol' });
    expect((await texas.introspect('not-a-token')).active).toBe(false);
    const machine = await texas.token(`${TARGETS.short}/.default`);
    expect(machine.token_type).toBe('Bearer');
    expect(decodeJwt(machine.access_token).aud).toBe(TARGETS.short);
    const obo = await texas.exchange(`${TARGETS.long}/.default`, user);
    expect(decodeJwt(obo.access_token)).toMatchObject({ aud: TARGETS.long, sub: 'carol' });
    await expect(texas.token('api://unknown/.default')).rejects.toThrow(/^400 invalid_target/);
  });
});

describe('a Microsoft sidecar client written to the documented contract', () => {
  it('runs unchanged against the token API listener addressed as localhost', async () => {
    const sidecar = sidecarClient(`http://localhost:${new URL(svc.tokenApiUrl).port}`);
    const user = await op.userToken('dave');
    expect(await sidecar.validate(user)).toMatchObject({ protocol: 'Bearer', token: user, claims: { sub: 'dave' } });
    const header = await sidecar.authorizationHeader('downstream', user);
    expect(decodeJwt(header.authorizationHeader.replace(/^Bearer /, ''))).toMatchObject({ sub: 'dave' });
    const app = await sidecar.authorizationHeaderUnauthenticated('downstream');
    expect(app.authorizationHeader).toMatch(/^Bearer /);
    const result = await sidecar.downstreamApi('downstream', user, { hello: 'world' });
    expect(result.statusCode).toBe(200);
    const echoed = JSON.parse(result.content ?? '{}');
    expect(echoed).toMatchObject({ method: 'POST', path: '/api/me', contentType: 'application/json' });
    expect(Buffer.from(echoed.body, 'base64').toString()).toBe('{"hello":"world"}');
    const refused = await sidecar.authorizationHeaderUnauthenticated('missing').catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(SidecarError);
    expect(refused).toMatchObject({
      status: 400,
      detail: expect.stringMatching(/^No scopes found for the API 'missing'/),
    });
  });
});
