/** The web action params are shared with validation (src-shared/dsl/actions/web-params.ts). */
export * from '@shared/dsl/actions/web-params';
