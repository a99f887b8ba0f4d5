import { describe, it, expect } from '@jest/globals';
import Provider from 'oidc-provider';
import * as client from 'openid-client';
import * as jose from 'jose';
import http from 'node:http';

describe('smoke', () => {
  it('discovers', async () => {
    const p = new Provider('http://127.0.0.1:0', { clients: [{ client_id: 'a', client_secret: 'b', redirect_uris: ['https://app.test/cb'] }] });
    const srv = http.createServer(p.callback());
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const port = (srv.address() as any).port;
    const p2 = new Provider(`http://127.0.0.1:${port}`, { clients: [{ client_id: 'a', client_secret: 'b', redirect_uris: ['https://app.test/cb'] }] });
    srv.removeAllListeners('request'); srv.on('request', p2.callback());
    const cfg = await client.discovery(new URL(`http://127.0.0.1:${port}`), 'a', 'b', undefined, { execute: [client.allowInsecureRequests] });
    expect(cfg.serverMetadata().issuer).toBe(`http://127.0.0.1:${port}`);
    const key = new Uint8Array(32);
    const jwe = await new jose.EncryptJWT({ a: 1 }).setProtectedHeader({ alg: 'dir', enc: 'A256GCM' }).encrypt(key);
    expect((await jose.jwtDecrypt(jwe, key)).payload.a).toBe(1);
    srv.close();
  });
});
