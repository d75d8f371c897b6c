/** The desktop action params are shared with validation (src-shared/dsl/actions/desktop-params.ts). */
export * from '@shared/dsl/actions/desktop-params';
