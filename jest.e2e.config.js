// End-to-end suite: real provider, service, Caddy/nginx, redis-server and Chromium
// (see test/e2e). Same ESM setup as jest.config.js; one worker, so the processes
// and the browser do not compete for the machine's cores.
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } }];

/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  roots: ['<rootDir>/test/e2e'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: [],
  setupFiles: ['<rootDir>/test/support/quiet-provider.ts'],
  testTimeout: 60000,
  maxWorkers: 1,
};
