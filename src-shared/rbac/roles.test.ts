import { describe, expect, it } from 'vitest';
import { PERMISSIONS, hasPermission, parseRole, permissionsOf } from './roles';

describe('role → permission table', () => {
  it('gives each role exactly the permissions of SPEC section 7', () => {
    expect(permissionsOf('Viewer')).toEqual(['read_runs', 'read_metrics', 'read_dashboard']);
    expect(permissionsOf('Runner')).toEqual([...permissionsOf('Viewer'), 'create_runs', 'execute_templates']);
    expect(permissionsOf('Editor')).toContain('respond_hitl');
    expect(permissionsOf('Editor')).not.toContain('manage_users');
    expect(permissionsOf('Admin')).toEqual([...PERMISSIONS]);
  });

  it('keeps roles ordered so that each includes the ones below', () => {
    for (const p of PERMISSIONS) {
      if (hasPermission('Viewer', p)) expect(hasPermission('Runner', p)).toBe(true);
      if (hasPermission('Runner', p)) expect(hasPermission('Editor', p)).toBe(true);
      if (hasPermission('Editor', p)) expect(hasPermission('Admin', p)).toBe(true);
    }
  });

  it('accepts roles in lower case and rejects unknown ones', () => {
    expect(parseRole('editor')).toBe('Editor');
    expect(parseRole(' ADMIN ')).toBe('Admin');
    expect(parseRole('root')).toBeUndefined();
  });
});
