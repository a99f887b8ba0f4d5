// ESLint flat config: typescript-eslint's strict, type-checked rules over every TypeScript file
// (types come from tsconfig.json through the project service), Prettier owns the formatting
// (eslint-config-prettier turns off every rule that would fight it; `npm run lint` also runs
// `prettier --check`). Every relaxation below carries its reason.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    ignores: ['dist/', 'node_modules/', 'coverage/', '.cache/', 'test-artifacts/', 'charts/'],
  },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // The rules this project exists to enforce.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // verbatimModuleSyntax keeps every import that is not marked `type`: a type-only import must
      // say so. Separate `import type` lines, so a file's runtime imports read at a glance.
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'separate-type-imports' },
      ],
      '@typescript-eslint/consistent-type-exports': 'error',
      '@typescript-eslint/no-import-type-side-effects': 'error',
      // Numbers and booleans in log lines, error messages and headers read as themselves.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // `_` marks a parameter a callback signature demands but the body does not use (tsc's
      // noUnusedParameters already follows the same convention).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      // Config types are written as `type X = {...}` and `interface` alike; both are fine here.
      '@typescript-eslint/consistent-type-definitions': 'off',
      // Its fix turns `x as string` into `x!`, which strict's no-non-null-assertion then forbids.
      '@typescript-eslint/non-nullable-type-assertion-style': 'off',
      // tsconfig has no noUncheckedIndexedAccess and caught errors are cast, so this rule flags the
      // guards (`match[1] ?? ''`, `(err as AppError).code ?? 'INTERNAL'`) that keep the runtime safe.
      '@typescript-eslint/no-unnecessary-condition': 'off',
      // `() => resolve()` callbacks are the idiom for node's event and close callbacks.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // `async` without `await` is how a synchronous implementation of an async interface
      // (MemoryBackend, the cookie store, the dev provider's hooks) returns promises and turns throws
      // into rejections.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Tests, benchmarks, the development provider and scripts: none of it ships in the image.
    files: ['test/**/*.ts', 'bench/**/*.ts', 'dev/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      // A test asserts what it found a line earlier; `!` there is the assertion, not a guess.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Jest's expect(obj.method).toHaveBeenCalled() and mock.fn references are unbound by design.
      '@typescript-eslint/unbound-method': 'off',
      // Fakes implement async interfaces with bodies that need no await.
      '@typescript-eslint/require-await': 'off',
      // oidc-provider types request params and claims as unknown; the dev provider and the test fakes
      // only ever see strings there.
      '@typescript-eslint/no-base-to-string': 'off',
      // Tests build empty stand-ins (`() => {}`) for callbacks they do not care about.
      '@typescript-eslint/no-empty-function': 'off',
      // supertest's res.body, JSON.parse and parsed YAML manifests are untyped trees that tests walk
      // and assert on directly: a wrong shape fails the assertion, a type would only restate it.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },
  {
    // Plain JavaScript config files are not in tsconfig.json: lint them without type information.
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  prettier,
);
