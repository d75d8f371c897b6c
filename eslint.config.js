import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*'];
const bareBuiltins = ['fs', 'path', 'os', 'child_process', 'crypto', 'http', 'https', 'net', 'url', 'util', 'stream', 'events', 'worker_threads'];

/**
 * Runtime boundaries (STYLE "The shape"): the path tells the runtime.
 * - src-shared: plain TypeScript, no Node, no DOM-only APIs, no electron.
 * - src-main/core: plain Node, never electron (runs under serve, the CLI and tests).
 * - src-renderer: browser only; talks to the core through bridge/.
 */
export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'native/**', 'node_modules/**', 'release/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  {
    files: ['src-shared/**/*.ts'],
    ignores: ['src-shared/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [...bareBuiltins, 'electron', 'better-sqlite3', 'react', 'react-dom'].map((name) => ({ name, message: 'src-shared is plain TypeScript: no Node, no electron, no DOM libraries.' })),
        patterns: [{ group: nodeBuiltins, message: 'src-shared is plain TypeScript: no Node.' }],
      }],
      'no-restricted-globals': ['error', 'window', 'document', 'process', 'Buffer', '__dirname', 'require'],
    },
  },
  {
    files: ['src-main/core/**/*.ts', 'src-main/serve/**/*.ts', 'src-main/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'The core runs under plain Node; only src-main/electron and src-main/preload may import electron.' }] }],
    },
  },
  {
    files: ['src-renderer/**/*.ts', 'src-renderer/**/*.tsx'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [...bareBuiltins, 'electron'].map((name) => ({ name, message: 'The renderer is a browser page: reach the core through bridge/ only.' })),
        patterns: [{ group: [...nodeBuiltins, '**/src-main/**'], message: 'The renderer is a browser page: reach the core through bridge/ only.' }],
      }],
    },
  },
  {
    files: ['scripts/**/*.mjs', 'bin/**/*.js', 'bench/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', URL: 'readonly' } },
  },
);
