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
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'The core runs under plain Node; only src-main/electron and src-main/preload may import electron.' }],
        patterns: [{ group: ['**/electron/*', '**/preload/*', '**/src-renderer/**'], message: 'The core runs under plain Node: it never reaches into the Electron adapters or the renderer.' }],
      }],
    },
  },
  {
    // A sandboxed preload gets electron and a few shims only: it exposes the contract's IPC and nothing else.
    files: ['src-main/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: bareBuiltins.map((name) => ({ name, message: 'The preload is sandboxed: no Node modules.' })),
        patterns: [
          { group: nodeBuiltins, message: 'The preload is sandboxed: no Node modules.' },
          { group: ['../*', '**/src-main/**', '**/src-renderer/**'], message: 'The preload imports electron and @shared/contract only; the core stays in main.' },
        ],
      }],
    },
  },
  {
    files: ['src-main/electron/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/src-renderer/**', '**/preload/*'], message: 'Main reaches the page through IPC only.' }] }],
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
    // bridge/ is the only code of the page that talks to the core (STYLE "Renderer").
    files: ['src-renderer/**/*.ts', 'src-renderer/**/*.tsx'],
    ignores: ['src-renderer/bridge/**'],
    rules: {
      'no-restricted-globals': ['error', ...['fetch', 'EventSource', 'XMLHttpRequest', 'WebSocket'].map((name) => ({ name, message: 'Talk to the core through src-renderer/bridge only.' }))],
      'no-restricted-properties': ['error', ...['window', 'globalThis', 'self'].flatMap((object) =>
        ['agent', 'fetch', 'EventSource', 'XMLHttpRequest', 'WebSocket'].map((property) => ({ object, property, message: 'Talk to the core through src-renderer/bridge only.' })),
      )],
    },
  },
  {
    files: ['scripts/**/*.mjs', 'bin/**/*.js', 'bench/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', URL: 'readonly', fetch: 'readonly' } },
  },
);
