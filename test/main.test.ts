import { spawnSync } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';

/** Runs the real entry point with only the given variables. */
function start(env: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
}

describe('the entry point', () => {
  it('exits 78 naming every bad variable at once when the configuration is invalid', () => {
    const run = start({ SESSION_SECRET: 'too-short', SESSION_STORE: 'disk', PORT: '-1' });
    expect(run.status).toBe(78);
    for (const name of ['OIDC_ISSUER_URL', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'DOMAIN', 'SESSION_SECRET', 'SESSION_STORE', 'PORT']) {
      expect(run.stderr).toContain(name);
    }
    expect(run.stderr).not.toMatch(/at \w+ \(/);
  });
});
