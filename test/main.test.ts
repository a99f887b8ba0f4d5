import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';

/** Runs the real entry point with only the given variables. */
function start(env: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
}

/** Starts the entry point, waits until `listening` was logged `listeners` times, stops it, returns its log lines. */
async function runUntilListening(env: Record<string, string>, listeners: number): Promise<Record<string, unknown>[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  let out = '';
  const lines = () =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not listening in time:\n${out}`)), 90_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (lines().filter((l) => l.event === 'listening').length >= listeners) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}:\n${out}`)));
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  return lines();
}

const secrets = {
  clientSecret: 'client-secret-that-must-not-leak',
  current: 'c0ffeec0ffeec0ffeec0ffeec0ffee11',
  previous: 'deadbeefdeadbeefdeadbeefdeadbe22',
  redisPassword: 'redis-password-that-must-not-leak',
  redisUrlPassword: 'url-password-that-must-not-leak',
  headerKey: 'static-api-key-that-must-not-leak',
};

const validEnv = {
  OIDC_ISSUER_URL: 'https://127.0.0.1:9/realm',
  OIDC_CLIENT_ID: 'client-id',
  OIDC_CLIENT_SECRET: secrets.clientSecret,
  SESSION_SECRETS: `${secrets.current}, ${secrets.previous}`,
  DOMAIN: 'app.test',
  HOST: '127.0.0.1',
  PORT: '0',
  PROBE_PORT: '0',
  REDIS_URL: `redis://user:${secrets.redisUrlPassword}@127.0.0.1:9/0`,
  REDIS_PASSWORD: secrets.redisPassword,
  HEADERS: JSON.stringify([{ name: 'X-Api-Key', value: secrets.headerKey }]),
  LOG_LEVEL: 'info',
};

describe('the entry point', () => {
  it('exits 78 naming every bad variable at once when the configuration is invalid', () => {
    const run = start({ SESSION_SECRET: 'too-short', SESSION_STORE: 'disk', PORT: '-1' });
    expect(run.status).toBe(78);
    for (const name of [
      'OIDC_ISSUER_URL',
      'OIDC_CLIENT_ID',
      'OIDC_CLIENT_SECRET',
      'DOMAIN',
      'SESSION_SECRET',
      'SESSION_STORE',
      'PORT',
    ]) {
      expect(run.stderr).toContain(name);
    }
    expect(run.stderr).not.toMatch(/at \w+ \(/);
  });

  it.each([1, 2])(
    'logs the effective configuration once, secrets redacted, with %i worker(s)',
    async (workers) => {
      const lines = await runUntilListening({ ...validEnv, WORKERS: String(workers) }, workers);
      const configLines = lines.filter((l) => l.event === 'config');
      expect(configLines).toHaveLength(1);
      const config = configLines[0]?.config as Record<string, unknown>;
      expect(config).toMatchObject({
        DOMAIN: 'app.test',
        OIDC_CLIENT_ID: 'client-id',
        OIDC_CLIENT_SECRET: '**REDACTED**',
        SESSION_SECRETS: ['**REDACTED**', '**REDACTED**'],
        REDIS_PASSWORD: '**REDACTED**',
        REDIS_URL: 'redis://127.0.0.1:9/0',
        HEADERS: ['X-Api-Key'],
        SESSION_STORE: 'cookie',
        WORKERS: workers,
      });
      const text = JSON.stringify(lines);
      for (const secret of Object.values(secrets)) expect(text).not.toContain(secret);
    },
    120_000,
  );
});
