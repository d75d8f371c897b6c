/** What other folders of the core may use of config/ (lint: capability folders meet only through their index.ts). */
export * from './config-store';
