// Serial pass: the end-to-end suite (real provider, service, Caddy/nginx, redis-server and
// Chromium, see test/e2e) and the load/fault-injection suites (`*.load.test.ts`, which
// measure latency). Same ESM set-up as jest.config.js; one worker, so the processes, the
// browser and the load generators do not compete for the machine's cores.
import { base } from './jest.config.js';

/** @type {import('jest').Config} */
export default {
  ...base,
  roots: ['<rootDir>/test'],
  testMatch: ['<rootDir>/test/e2e/**/*.test.ts', '<rootDir>/test/**/*.load.test.ts'],
  testTimeout: 60000,
  maxWorkers: 1,
};
