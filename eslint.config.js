// Lint for the whole monorepo: typescript-eslint's type-aware recommended rules on the sources,
// plus the few rules our style guide leans on (no console in services, no floating promises).
// Type information comes from each workspace's own tsconfig.json (the project service finds the
// nearest one, as an editor does); JavaScript files belong to no tsconfig and get the same rules
// minus the type-aware ones, so every file is still linted.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['**/dist/**', '**/node_modules/**', 'packages/contracts/src/generated/**', '.lab/**'] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      // Already in recommendedTypeChecked; spelled out because they are the reason for type-aware lint.
      // node:test's describe/it/test return promises the runner itself awaits and never rejects
      // (a failure is a reported test, not a rejection), so calling them bare is the documented use.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] }] },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      // Off: Fastify tells async plugins and hooks from callback ones by the promise they return, so
      // `async` without `await` is required there; a missing await is no-floating-promises' job.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    files: ['services/*/src/**/*.ts', 'packages/*/src/**/*.ts'],
    rules: { 'no-console': 'error' },
  },
);
