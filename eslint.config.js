import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import layers from './scripts/eslint-layers.mjs';

const root = import.meta.dirname;
const core = (...folders) => folders.map((f) => `src-main/core/${f}`);

/**
 * The layer map (docs/architecture.md): a folder → the folders it may import besides itself.
 * The most specific folder holding a file applies; tests are left out (a test may build the whole
 * core). A new edge is a change to this table, reviewed like code. Core folders form no cycle
 * (`npm run deps:graph` checks it too).
 */
const LAYERS = {
  'src-shared': [],
  'src-renderer': ['src-shared'],
  'src-main/preload': ['src-shared'],
  'src-main/core': ['src-shared', 'src-main/core/kernel'],
  'src-main/core/kernel': ['src-shared'],
  'src-main/core/db': ['src-shared'],
  'src-main/core/config': ['src-shared', ...core('kernel')],
  'src-main/core/security': ['src-shared', ...core('kernel', 'db')],
  'src-main/core/notices': ['src-shared', ...core('kernel')],
  'src-main/core/runs': ['src-shared', ...core('kernel', 'db')],
  'src-main/core/api': ['src-shared', ...core('kernel', 'security')],
  'src-main/core/clusters': ['src-shared', ...core('kernel', 'db', 'runs')],
  'src-main/core/metrics': ['src-shared', ...core('kernel', 'runs')],
  'src-main/core/hitl': ['src-shared', ...core('kernel', 'db', 'config', 'runs')],
  'src-main/core/triggers': ['src-shared', ...core('kernel', 'db', 'config')],
  'src-main/core/system': ['src-shared', ...core('kernel', 'config', 'api')],
  'src-main/core/queue': ['src-shared', ...core('kernel', 'db', 'config', 'api', 'runs', 'security')],
  'src-main/core/engine': ['src-shared', ...core('kernel', 'config', 'queue', 'runs', 'security')],
  'src-main/core/templates': ['src-shared', ...core('kernel', 'engine', 'queue')],
  // A fleet node's labels are found with the engine's own display check and browser discovery.
  'src-main/core/fleet': ['src-shared', ...core('kernel', 'db', 'engine')],
  // The composition root sees every module.
  'src-main/core/app': ['src-shared', 'src-main/core'],
  // Entry points share src-main/host; they never import one another.
  'src-main/host': ['src-shared', 'src-main/core'],
  'src-main/electron': ['src-shared', 'src-main/core', 'src-main/host'],
  'src-main/serve': ['src-shared', 'src-main/core', 'src-main/host'],
  'src-main/cli': ['src-shared', 'src-main/core', 'src-main/host'],
  'src-main/tools': ['src-shared', 'src-main/core'],
};
/** Capability folders of the core: one reaches another only through its index.ts. kernel and db are the shared floor. */
const CAPABILITIES = core('api', 'app', 'clusters', 'config', 'engine', 'fleet', 'hitl', 'metrics', 'notices', 'queue', 'runs', 'security', 'system', 'templates', 'triggers');

/**
 * Request paths of the core call no blocking fs (*Sync). Each exception says why it may.
 */
const SYNC_ALLOWED = {
  'src-main/core/api/cli-access.ts': 'the cli-token file is written once at start and read by the CLI process, not per request',
  'src-main/core/api/static-files.ts': 'resolves a file of the built UI (local disk, a few µs); the body is streamed',
  'src-main/core/metrics/dashboard-page.ts': 'the dashboard shell is read once per page load from the built UI',
  'src-main/core/queue/retention.ts': 'the retention sweep runs on the clock, off any request; one rmSync per old run',
  'src-main/core/queue/queue-module.ts': 'artifact downloads check one path; run deletion removes its folder after the SQL commit',
  'src-main/core/templates/template-catalog.ts': 'templates are small YAML files on local disk, read in the same tick as their validation',
  'src-main/core/engine/actions/files.ts': 'zip_folder checks its output name exists between two async steps (race window kept short)',
  'src-main/core/engine/actions/file-transfers.ts': 'a move re-checks its target and creates its folder between two async steps (race window kept short)',
  'src-main/core/engine/actions/file-access.ts': 'existence checks between async reads; mkdir of the output folder',
  'src-main/core/engine/actions/web-files.ts': 'the size of an upload file before it goes to the browser',
  'src-main/core/engine/web/browser-discovery.ts': 'looks for a browser binary once, when the first web step starts a browser',
};

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
    // The layer map above, and capability folders meeting through their index.ts.
    files: ['src-*/**/*.ts', 'src-*/**/*.tsx'],
    ignores: ['**/*.test.ts', '**/*.test.tsx'],
    plugins: { layers },
    rules: {
      'layers/imports': ['error', { root, aliases: { '@shared': 'src-shared' }, layers: LAYERS, capabilities: CAPABILITIES }],
    },
  },
  {
    // Request paths of the core do not block the event loop on the disk.
    files: core('api', 'clusters', 'hitl', 'metrics', 'queue', 'runs', 'system', 'templates', 'triggers', 'engine/actions', 'engine/web').map((f) => `${f}/**/*.ts`),
    ignores: ['**/*.test.ts', ...Object.keys(SYNC_ALLOWED)],
    rules: {
      'no-restricted-syntax': ['error',
        { selector: 'CallExpression[callee.name=/Sync$/]', message: 'No blocking fs in a request path of the core: use node:fs/promises (or list the file in SYNC_ALLOWED with the reason).' },
        { selector: 'CallExpression[callee.property.name=/Sync$/]', message: 'No blocking fs in a request path of the core: use node:fs/promises (or list the file in SYNC_ALLOWED with the reason).' },
      ],
    },
  },
  {
    files: ['src-main/core/**/*.ts', 'src-main/serve/**/*.ts', 'src-main/cli/**/*.ts', 'src-main/host/**/*.ts', 'src-main/tools/**/*.ts'],
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
        paths: [
          ...bareBuiltins.map((name) => ({ name, message: 'The preload is sandboxed: no Node modules.' })),
          { name: 'electron', importNames: ['ipcMain', 'app', 'BrowserWindow', 'Tray', 'Menu', 'Notification', 'dialog', 'protocol', 'session', 'powerMonitor', 'safeStorage', 'webContents'], message: 'Main-process APIs live in src-main/electron only.' },
        ],
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
