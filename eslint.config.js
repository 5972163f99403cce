// @ts-check
import tseslint from 'typescript-eslint';

/** Node, Electron and native modules must never reach the renderer or the shared contract. */
const nodeOnlyModules = ['node:*', 'electron', 'better-sqlite3', 'kysely', 'ws', 'ical-generator', 'fs', 'path', 'os', 'crypto', 'http', 'https', 'net', 'child_process', 'worker_threads', 'url', 'util', 'stream', 'events'];

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'resources/**', 'test-results/**', '.tmp/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly', console: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}', 'src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: nodeOnlyModules, message: 'The renderer and the shared contract run in a browser: no Node or Electron modules.' },
            { group: ['**/main/**', '**/sandbox/**', '**/relay/**', '**/preload/**'], message: 'The renderer talks to the core only through src/shared/contract.ts.' },
          ],
        },
      ],
    },
  },
);
