/** What other folders of the core may use of security/ (lint: capability folders meet only through their index.ts). */
export * from './audit/audit-log';
export * from './auth/users-module';
export * from './rbac/rbac-metrics';
export * from './redaction';
export * from './secrets/create-secrets';
export * from './secrets/keychain-port';
export * from './secrets/secret-records';
export * from './secrets/secret-store';
export * from './secrets/secrets-module';
