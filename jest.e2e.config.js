// End-to-end suite: real provider, service, Caddy/nginx, redis-server and Chromium
// (see test/e2e). Same ESM set-up as jest.config.js; one worker, so the processes
// and the browser do not compete for the machine's cores.
import { base } from './jest.config.js';

/** @type {import('jest').Config} */
export default {
  ...base,
  roots: ['<rootDir>/test/e2e'],
  testTimeout: 60000,
  maxWorkers: 1,
};
