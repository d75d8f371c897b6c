import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import type { UserConfig } from 'vite';
import { sqlText } from './sql-text.ts';

const at = (p: string) => fileURLToPath(new URL(`../${p}`, import.meta.url));

/** `@shared/*` → src-shared, as in tsconfig.base.json and scripts/build-node.mjs. */
export const alias = { '@shared': at('src-shared') };

/** What every bundle of main-process code needs: the alias and `.sql` migrations as text. */
export const nodeBundleConfig = { plugins: [sqlText()], resolve: { alias } } satisfies UserConfig;

/**
 * The renderer bundle, shared by `vite build --config vite.renderer.config.ts` (served by
 * `desktop-agent serve` at `/`) and electron-vite (loaded by the window from the app protocol).
 * Relative asset URLs (`base: './'`) and hash routes make one build work under both.
 */
export function rendererConfig(): UserConfig {
  return {
    root: at('src-renderer'),
    base: './',
    plugins: [react(), sqlText()],
    resolve: { alias },
    publicDir: false,
    build: {
      outDir: at('out/renderer'),
      emptyOutDir: true,
      target: 'chrome120',
      minify: true,
      modulePreload: { polyfill: false },
      reportCompressedSize: false,
      sourcemap: true,
      rolldownOptions: { input: at('src-renderer/index.html') },
    },
  };
}
