import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../../src/config/index.js';
import { startDevIdentityProvider, type DevIdentityProvider } from '../../../dev/identity-provider.js';
import type { RunningService } from '../../../src/server.js';
import { freePort, waitForPort } from '../../support/free-port.js';
import { CLIENT, cookieHeader, serviceEnv, signInAtProvider, startCapturedService } from '../../support/harness.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const ARTIFACTS = path.join(ROOT, 'test-artifacts');
export const CLAIM_RULE = JSON.stringify([{ name: 'groups', anyOf: ['demo-users'] }]);
export const BYPASS_PATH = '/public/health';

/** The browser origin of an app on a loopback port: `localhost`, so Chromium keeps Secure cookies over http. */
export const originFor = (port: number) => `http://localhost:${port}`;

/** The development provider, with one client allowed to return to every app origin. */
export function startIdp(origins: readonly string[]): Promise<DevIdentityProvider> {
  return startDevIdentityProvider({
    clients: [
      {
        ...CLIENT,
        redirectUris: origins.map((o) => `${o}/oauth2/callback`),
        postLogoutRedirectUris: origins.map((o) => `${o}/oauth2/signed-out`),
      },
    ],
  });
}

/** The service for the app at `localhost:<appPort>`, configured like the examples expect. */
export async function startServiceFor(
  idp: DevIdentityProvider,
  appPort: number,
  env: Record<string, string> = {},
): Promise<{ service: RunningService; url: string; address: string; logs: string[] }> {
  const config = loadConfig(
    serviceEnv(idp.issuer, {
      DOMAIN: `localhost:${appPort}`,
      PUBLIC_SCHEME: 'http',
      BYPASS_PATHS: BYPASS_PATH,
      ASSERT_CLAIMS: CLAIM_RULE,
      LOG_LEVEL: 'info',
      ...env,
    }),
  );
  const { service, logs } = await startCapturedService(config);
  await service.oidc.start();
  const address = `127.0.0.1:${(service.server.address() as AddressInfo).port}`;
  return { service, url: `http://${address}`, address, logs };
}

/** A child process (caddy, nginx) stopped by its PID. */
export interface Proc {
  readonly pid: number;
  readonly output: () => string;
  stop(): Promise<void>;
}

function track(child: ChildProcess, what: string): Proc {
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.once('error', (err) => {
    output += `cannot start ${what}: ${err.message}`;
  });
  return {
    pid: child.pid ?? 0,
    output: () => output,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null || !child.pid) {
          resolve();
          return;
        }
        child.once('exit', () => resolve());
        process.kill(child.pid, 'SIGTERM');
      }),
  };
}

async function ready(proc: Proc, port: number, what: string): Promise<Proc> {
  try {
    await waitForPort(port, 15_000);
  } catch (err) {
    await proc.stop();
    throw new Error(`${what} did not start: ${(err as Error).message}\n${proc.output()}`, { cause: err });
  }
  return proc;
}

/** Caddy running examples/caddy/Caddyfile on `localhost:<port>`. */
export async function startCaddy(port: number, authAddress: string, appUpstream: string): Promise<Proc> {
  const child = spawn(
    'caddy',
    ['run', '--config', path.join(ROOT, 'examples/caddy/Caddyfile'), '--adapter', 'caddyfile'],
    {
      env: {
        ...process.env,
        APP_ADDRESS: `http://localhost:${port}`,
        BIND_ADDRESS: '127.0.0.1',
        AUTH_ADDRESS: authAddress,
        APP_UPSTREAM: appUpstream,
        XDG_DATA_HOME: tmpdir(),
        XDG_CONFIG_HOME: tmpdir(),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return ready(track(child, 'caddy'), port, 'caddy');
}

/** nginx running examples/nginx/nginx.conf (tokens filled in) from a temporary prefix. */
export async function startNginx(port: number, authAddress: string, appUpstream: string): Promise<Proc> {
  const dir = mkdtempSync(path.join(tmpdir(), 'e2e-nginx-'));
  chmodSync(dir, 0o777); // workers may run as an unprivileged user
  for (const sub of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi', 'logs'])
    mkdirSync(path.join(dir, sub), { mode: 0o777 });
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((t) => `\t${t}_temp_path ${dir}/${t};`)
    .join('\n');
  const conf = readFileSync(path.join(ROOT, 'examples/nginx/nginx.conf'), 'utf8')
    .replaceAll('__LISTEN__', `127.0.0.1:${port}`)
    .replaceAll('__AUTH_SERVICE__', authAddress)
    .replaceAll('__APP_UPSTREAM__', appUpstream)
    .replace('http {', `http {\n${temp}\n\taccess_log off;`);
  const file = path.join(dir, 'nginx.conf');
  writeFileSync(file, conf);
  const nginx = existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx';
  const child = spawn(nginx, ['-p', dir, '-c', file, '-g', `daemon off; pid ${dir}/nginx.pid; error_log stderr;`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc = await ready(track(child, 'nginx'), port, 'nginx');
  return {
    ...proc,
    stop: async () => {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export { freePort };

/** Signs `username` in through the proxy at `origin` with plain fetch; returns the session's Cookie header. */
export async function loginWithFetch(origin: string, username: string): Promise<string> {
  const start = await fetch(`${origin}/oauth2/login?redirect=%2F`, {
    redirect: 'manual',
    headers: { accept: 'text/html' },
  });
  if (start.status !== 302) throw new Error(`expected a login redirect, got ${start.status}`);
  const loginCookies = cookieHeader(start.headers.getSetCookie());
  const callback = await signInAtProvider(start.headers.get('location') ?? '', username, undefined, origin);
  const done = await fetch(callback, { redirect: 'manual', headers: { cookie: loginCookies, accept: 'text/html' } });
  if (done.status !== 302) throw new Error(`callback failed with ${done.status}: ${await done.text()}`);
  return cookieHeader(done.headers.getSetCookie(), loginCookies);
}
