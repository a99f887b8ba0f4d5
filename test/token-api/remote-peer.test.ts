import { execFile, execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTokenApi, type TokenApiUnderTest } from '../support/token-api-harness.js';
import { startTokenApiProvider, TARGETS, type TokenApiProvider } from '../support/token-api-provider.js';

/*
 * A real caller that is not on this host: a network namespace this test makes,
 * joined to the host by a veth pair on a /30 of 198.18.0.0/15 (the benchmarking
 * range), so the token API sees a non-loopback peer address. Nothing leaves the machine.
 */
const id = process.pid % 100_000;
const ns = `tkapi${id}`;
const hostIf = `tkh${id}`;
const nsIf = `tkn${id}`;
const block = (process.pid % 16_384) * 4;
const hostAddress = `198.${18 + (block >> 16)}.${(block >> 8) & 255}.${(block & 255) + 1}`;
const nsAddress = `198.${18 + (block >> 16)}.${(block >> 8) & 255}.${(block & 255) + 2}`;

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: 'pipe' });
}

/** Sends one POST from inside the namespace and returns what came back. */
function postFromNamespace(
  port: number,
  host: string,
): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const script = `
    const req = require('node:http').request({ host: ${JSON.stringify(hostAddress)}, port: ${port}, method: 'POST', path: '/api/v1/token',
      headers: { Host: ${JSON.stringify(host)}, 'Content-Type': 'application/json' } }, (res) => {
      let body = ''; res.on('data', (c) => body += c);
      res.on('end', () => process.stdout.write(JSON.stringify({ status: res.statusCode, headers: res.headers, body })));
    });
    req.on('error', (e) => { process.stderr.write(e.message); process.exit(1); });
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.end(JSON.stringify({ identity_provider: 'azuread', target: ${JSON.stringify(`${TARGETS.short}/.default`)} }));`;
  return new Promise((resolve, reject) => {
    execFile(
      'ip',
      ['netns', 'exec', ns, process.execPath, '-e', script],
      { timeout: 10_000 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${err.message}: ${stderr}`));
        else resolve(JSON.parse(stdout));
      },
    );
  });
}

let op: TokenApiProvider;
let local: TokenApiUnderTest;
let remote: TokenApiUnderTest;

beforeAll(async () => {
  ip('netns', 'add', ns);
  ip('link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf);
  ip('link', 'set', nsIf, 'netns', ns);
  ip('addr', 'add', `${hostAddress}/30`, 'dev', hostIf);
  ip('link', 'set', hostIf, 'up');
  ip('netns', 'exec', ns, 'ip', 'addr', 'add', `${nsAddress}/30`, 'dev', nsIf);
  ip('netns', 'exec', ns, 'ip', 'link', 'set', nsIf, 'up');
  op = await startTokenApiProvider();
  local = await startTokenApi({ issuer: op.issuer, host: hostAddress });
  remote = await startTokenApi({ issuer: op.issuer, host: hostAddress, allowRemote: true });
});

afterAll(async () => {
  await local?.close();
  await remote?.close();
  await op?.close();
  for (const args of [
    ['netns', 'del', ns],
    ['link', 'del', hostIf],
  ]) {
    try {
      ip(...args);
    } catch {
      // Already gone: deleting the namespace removes the veth pair.
    }
  }
});

describe('a caller that is not on this host', () => {
  it('gets 403 with no body, even with a loopback Host header, and no token is minted', async () => {
    const before = op.grants.client_credentials ?? 0;
    const answer = await postFromNamespace(local.port, 'localhost');
    expect(answer.status).toBe(403);
    expect(answer.body).toBe('');
    expect(answer.headers['content-type']).toBeUndefined();
    expect(op.grants.client_credentials ?? 0).toBe(before);
  });

  it('is served when TOKEN_API_ALLOW_REMOTE is on, addressing the listener by its IP', async () => {
    const answer = await postFromNamespace(remote.port, `${hostAddress}:${remote.port}`);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ token_type: 'Bearer' });
    expect(answer.headers['cache-control']).toBe('no-store');
  });

  it('is still held to the Host rule when remote callers are allowed', async () => {
    const answer = await postFromNamespace(remote.port, 'evil.example');
    expect(answer.status).toBe(400);
  });
});
