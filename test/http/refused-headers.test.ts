import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startHarness, type Harness } from '../support/harness.js';

/** Sends one request with a `bytes`-long Cookie header on a raw socket; resolves with everything read back. */
function sendHugeCookie(port: number, bytes: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk) => (answer += String(chunk)));
    socket.on('error', (err) => resolve(`${answer}<error ${(err as NodeJS.ErrnoException).code}>`));
    socket.on('close', () => resolve(answer));
    socket.on('connect', () => {
      // As a browser or proxy would: in pieces, so part arrives after the server has answered.
      // Fire and forget: nothing here rejects, socket errors arrive as the 'error' event above.
      void (async () => {
        const request = Buffer.from(
          `GET /oauth2/auth HTTP/1.1\r\nHost: idp.test\r\nX-Forwarded-Host: app.test\r\nX-Forwarded-Uri: /\r\nCookie: a=${'x'.repeat(bytes)}\r\n\r\n`,
        );
        for (let at = 0; at < request.length && !socket.destroyed; at += 16 * 1024) {
          if (!socket.write(request.subarray(at, at + 16 * 1024))) await new Promise((r) => socket.once('drain', r));
          await new Promise((r) => setImmediate(r));
        }
      })();
    });
  });
}

describe('a header block over the limit', () => {
  let h: Harness;
  let port: number;
  beforeAll(async () => {
    h = await startHarness();
    port = Number(new URL(h.baseUrl).port);
  });
  afterAll(async () => {
    await h.close();
  });

  it('always gets a readable 431 for a 1 MB Cookie header, never a reset', async () => {
    const answers: string[] = [];
    for (let i = 0; i < 20; i++) answers.push(await sendHugeCookie(port, 1024 * 1024));
    for (const answer of answers) expect(answer).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
  }, 60_000);

  it('keeps serving afterwards', async () => {
    expect((await h.forward('/', { accept: 'application/json' })).status).toBe(401);
  });
});
