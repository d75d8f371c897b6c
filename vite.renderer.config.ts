import { defineConfig } from 'vite';
import { rendererConfig } from './build/vite-shared.ts';

// The browser build of src-renderer/ → out/renderer/ (`npm run build:renderer`).
export default defineConfig(rendererConfig());
