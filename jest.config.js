// Module format: the project is ESM ("type": "module", TypeScript NodeNext, `.js` in
// relative imports). Jest runs ESM only under `node --experimental-vm-modules`
// (see package.json scripts). ts-jest only transpiles (`isolatedModules` in its tsconfig); `tsc --noEmit`
// checks the types. Both are plain JavaScript packages: nothing platform-specific to install.
const tsJest = [
  'ts-jest',
  {
    useESM: true,
    diagnostics: false,
    tsconfig: {
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      target: 'ES2022',
      isolatedModules: true,
      esModuleInterop: true,
      sourceMap: true,
    },
  },
];

/** @type {import('jest').Config} */
export const base = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': tsJest },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['**/*.test.ts'],
  setupFiles: ['<rootDir>/test/support/quiet-provider.ts'],
};

/** @type {import('jest').Config} */
export default {
  ...base,
  roots: ['<rootDir>/test'],
  // Load and fault-injection suites (`*.load.test.ts`) measure latency: they run in the serial
  // pass (jest.e2e.config.js), where no other worker competes for the two cores.
  testPathIgnorePatterns: ['/test/e2e/', '\\.load\\.test\\.ts$'],
  testTimeout: 30000,
  maxWorkers: 2,
};
