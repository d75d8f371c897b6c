import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { sqlText } from './build/sql-text.ts';

const alias = { '@shared': fileURLToPath(new URL('./src-shared', import.meta.url)) };
const shared = { plugins: [sqlText()], resolve: { alias } };

export default defineConfig({
  ...shared,
  test: {
    projects: [
      {
        ...shared,
        test: {
          name: 'unit',
          include: ['src-shared/**/*.test.ts', 'src-main/**/*.test.ts', 'src-renderer/**/*.test.ts', 'scripts/**/*.test.mjs', 'bench/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
          environment: 'node',
        },
      },
      {
        ...shared,
        test: {
          name: 'int',
          include: ['src-main/**/*.int.test.ts', 'src-shared/**/*.int.test.ts', 'test-support/**/*.int.test.ts'],
          globalSetup: ['test-support/keyring-setup.ts'],
          environment: 'node',
          // A bound, not a timing check: a test of many fsyncs or a fake-clock day took 31-32 s
          // with both cores busy under stress-ng and other builds (load 25).
          testTimeout: 90_000,
          hookTimeout: 90_000,
        },
      },
      {
        ...shared,
        test: {
          name: 'e2e',
          include: ['e2e/**/*.e2e.test.ts'],
          globalSetup: ['test-support/keyring-setup.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
