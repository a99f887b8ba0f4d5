import { spawn } from 'node:child_process';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startDevIdentityProvider, type DevIdentityProvider } from '../../dev/identity-provider.js';
import type { ActiveSession } from '../../src/session/session-reader.js';
import type { Cookies } from '../../src/session/store.js';
import { freePort, waitForPort } from '../support/free-port.js';
import { CLIENT, ORIGIN, serviceEnv, startHarness, type Harness } from '../support/harness.js';

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('stop(): graceful shutdown of a running service', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ store: 'redis' });
  });
  afterAll(async () => {
    await h.close();
  });

  it('stops accepting, finishes the request in flight, then closes the store', async () => {
    const cookie = await h.login('alice');
    const { sessions } = h.service;
    const port = (h.service.server.address() as AddressInfo).port;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inFlight = new Promise<void>((r) => (entered = r));
    const lookup = sessions.lookup.bind(sessions);
    // The check's own way to its session: it stays in flight until the test releases it.
    sessions.lookup = async (cookies: Cookies): Promise<ActiveSession | undefined> => {
      entered();
      await held;
      return lookup(cookies);
    };
    const events: string[] = [];
    const close = sessions.close.bind(sessions);
    sessions.close = async () => {
      events.push('store closed');
      await close();
    };

    h.service.server.on('request', (_req, res) =>
      res.once('finish', () => events.push(`response ${res.statusCode} written`)),
    );
    const response = h.forward('/slow', { cookie }).then((res) => res);
    await inFlight;
    const stopped = h.service.stop().then(() => events.push('stopped'));

    await new Promise((r) => setImmediate(r));
    expect(await connects(port)).toBe(false); // no longer accepting
    expect(events).toEqual([]); // still waiting for the request in flight

    release();
    const res = await response;
    await stopped;
    expect(res.status).toBe(200);
    expect(res.headers['x-forwarded-user']).toBe('Alice Andersen');
    expect(events).toEqual(['response 200 written', 'store closed', 'stopped']);
  });
});

describe('the entry point on SIGTERM', () => {
  let idp: DevIdentityProvider;
  beforeAll(async () => {
    idp = await startDevIdentityProvider({ clients: [{ ...CLIENT, redirectUris: [`${ORIGIN}/oauth2/callback`] }] });
  });
  afterAll(async () => {
    await idp.close();
  });

  /** Runs src/main.ts, waits until it listens, sends SIGTERM; returns the exit code and the log lines. */
  async function runAndTerminate(
    extraEnv: Record<string, string>,
  ): Promise<{ code: number | null; lines: { msg: string; signal?: string }[]; port: number }> {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: {
        PATH: process.env.PATH ?? '',
        ...serviceEnv(idp.issuer, { PORT: String(port) }),
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += String(c)));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await waitForPort(port, 20_000);
    const workers = Number(extraEnv.WORKERS ?? 1);
    for (let i = 0; i < 200 && (out.match(/"event":"listening"/g) ?? []).length < workers; i++)
      await new Promise((r) => setTimeout(r, 50));
    process.kill(child.pid ?? 0, 'SIGTERM');
    const code = await exited;
    return {
      code,
      lines: out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { msg: string; signal?: string }),
      port,
    };
  }

  it('logs the shutdown and exits 0', async () => {
    const { code, lines, port } = await runAndTerminate({});
    expect(code).toBe(0);
    expect(lines.find((l) => l.msg === 'shutting down')?.signal).toBe('SIGTERM');
    expect(await connects(port)).toBe(false);
  }, 30_000);

  it('with WORKERS=2, stops every worker and exits 0', async () => {
    const { code, lines, port } = await runAndTerminate({ WORKERS: '2' });
    expect(code).toBe(0);
    expect(lines.filter((l) => l.msg === 'shutting down').map((l) => l.signal)).toEqual(['SIGTERM', 'SIGTERM']);
    expect(lines.some((l) => l.msg.startsWith('worker exited'))).toBe(false); // none restarted
    expect(await connects(port)).toBe(false);
  }, 30_000);
});
