// One linter with type-aware rules: floating promises, exhaustive switches, import cycles.
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { readdirSync } from 'node:fs';

const PACKAGE_DIRS = readdirSync(`${import.meta.dirname}/packages`).map((name) => `${import.meta.dirname}/packages/${name}`);

export default tseslint.config(
  { ignores: ['**/node_modules/**', '.tools/**', '.turbo/**', 'bench/results/**', 'eslint.config.js'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import-x/no-cycle': 'error',
      // Package edges: packages are reached through their index (named exports), never their files.
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@rlm/*/*'], message: 'import a workspace package through its index, not its files' }] },
      ],
    },
  },
  {
    // Package code imports only what its own package.json declares (dependencies, not devDependencies),
    // and never another package by a relative path.
    files: ['packages/*/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'import-x/no-extraneous-dependencies': ['error', { devDependencies: false, includeTypes: true }],
      'import-x/no-relative-packages': 'error',
    },
  },
  {
    // Tests and benchmarks share the root's tooling (vitest, fast-check) and test/support.
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      'import-x/no-extraneous-dependencies': [
        'error',
        { devDependencies: true, includeTypes: true, packageDir: [import.meta.dirname, `${import.meta.dirname}/test`, ...PACKAGE_DIRS] },
      ],
    },
  },
);
