/** What other folders of the core may use of clusters/ (lint: capability folders meet only through their index.ts). */
export * from './clusters';
export * from './clusters-module';
