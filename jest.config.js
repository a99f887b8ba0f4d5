// Module format: the project is ESM ("type": "module", TypeScript NodeNext, `.js` in
// relative imports). Jest runs ESM only under `node --experimental-vm-modules`
// (see package.json scripts); @swc/jest strips types, `tsc --noEmit` checks them.
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } }];

/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/test/e2e/'],
  setupFiles: ['<rootDir>/test/support/quiet-provider.ts'],
  testTimeout: 30000,
  maxWorkers: 2,
};
