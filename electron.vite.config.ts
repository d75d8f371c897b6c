import { defineConfig } from 'electron-vite';
import { nodeBundleConfig, rendererConfig } from './build/vite-shared.ts';

/**
 * `npm run build:electron` (and `npm start`): out/main/index.js (package.json `main`), out/main/app-core.js,
 * out/preload/preload.cjs and out/renderer/. Dependencies stay external (node_modules).
 */
export default defineConfig({
  main: {
    ...nodeBundleConfig,
    build: {
      // app-core.js: the app's core entry as its own file, so the packaged-layout smoke test
      // (scripts/packaged-layout.mjs) starts the very code index.js starts, under plain Node.
      lib: { entry: { index: 'src-main/electron/main.ts', 'app-core': 'src-main/host/start-app-core.ts' }, formats: ['es'] },
      sourcemap: true,
    },
  },
  preload: {
    ...nodeBundleConfig,
    build: {
      // A sandboxed preload runs as a classic script with a limited require: CommonJS, one file.
      lib: { entry: { preload: 'src-main/preload/preload.ts' }, formats: ['cjs'] },
      rolldownOptions: { output: { entryFileNames: '[name].cjs' } },
      sourcemap: true,
    },
  },
  renderer: rendererConfig(),
});
