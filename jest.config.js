// Module format: the project is ESM ("type": "module", TypeScript NodeNext, `.js` in
// relative imports). Jest runs ESM only under `node --experimental-vm-modules`
// (see package.json scripts). ts-jest only transpiles (isolatedModules); `tsc --noEmit`
// checks the types. Both are plain JavaScript packages: nothing platform-specific to install.
const tsJest = [
  'ts-jest',
  {
    useESM: true,
    isolatedModules: true,
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
  testPathIgnorePatterns: ['/test/e2e/'],
  testTimeout: 30000,
  maxWorkers: 2,
};
