/** What other folders of the core may use of metrics/ (lint: capability folders meet only through their index.ts). */
export * from './metrics-module';
export * from './schedule-figures';
export * from './trigger-figures';
