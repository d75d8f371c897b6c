import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ACTION_SPECS } from '@shared/dsl/actions';
import { defineActionSpec } from '@shared/dsl/action-spec';
import { validateTemplate } from '@shared/dsl/validate';
import { defineAction } from './action-types';
import { implement } from './actions/implement';
import { ACTION_FAMILIES, ActionRegistry } from './registry';

/** Every action of SPEC section 3 (plus read_csv and for_each, documented in docs/dsl.md). */
const SPEC_ACTIONS = {
  files: ['find_files', 'rename', 'move_to', 'copy_to', 'zip_folder', 'delete_files', 'assert_file_exists', 'read_csv'],
  pdf: ['pdf_merge', 'pdf_extract_pages', 'assert_pdf_pages'],
  mail: ['compose_mail', 'attach_files', 'save_draft', 'send_mail'],
  http: ['make_request'],
  web: ['open_browser', 'fill_by_label', 'click_by_text', 'wait_for_selector', 'wait_for_element', 'assert_element', 'assert_text', 'upload_file', 'download_file', 'wait_for_download', 'take_screenshot', 'capture_dom_schema'],
  desktop: ['mouse_move', 'mouse_click', 'type_text', 'press_keys', 'screenshot'],
  control: ['log', 'wait', 'open_path', 'human_confirm', 'for_each'],
};

describe('the action table', () => {
  it('has a shared spec for every action of SPEC section 3, in its family', () => {
    for (const [family, names] of Object.entries(SPEC_ACTIONS)) {
      for (const name of names) expect(ACTION_SPECS.get(name)?.family, name).toBe(family);
    }
    expect(ACTION_SPECS.size).toBe(Object.values(SPEC_ACTIONS).flat().length);
  });

  it('implements every action, each with the very schema validation uses and the same flags', () => {
    const registry = new ActionRegistry();
    const runnerHandled = ['human_confirm', 'for_each'];
    expect(registry.names().sort()).toEqual(Object.values(SPEC_ACTIONS).flat().filter((a) => !runnerHandled.includes(a)).sort());
    for (const family of ACTION_FAMILIES) {
      for (const def of family) {
        const spec = ACTION_SPECS.get(def.name)!;
        expect(def.params, def.name).toBe(spec.params);
        expect([def.family, def.idempotent, def.mutating, Boolean(def.risk)], def.name).toEqual([spec.family, spec.idempotent, spec.mutating, Boolean(spec.risk)]);
      }
    }
    expect(registry.available('human_confirm') && registry.available('for_each')).toBe(true);
  });

  it('names the actions of a family a build leaves out', () => {
    const withoutScreens = new ActionRegistry(ACTION_FAMILIES.filter((f) => !['web', 'desktop'].includes(f[0]!.family)));
    const model = validateTemplate('dsl_version: "1.1"\nname: x\nsteps:\n  - open_browser: { url: "https://example.com" }\n  - mouse_click: { x: 1, y: 2 }\n  - log: { message: x }\n').template!;
    expect(withoutScreens.missing(model)).toEqual(['open_browser', 'mouse_click']);
    expect(new ActionRegistry().missing(model)).toEqual([]);
  });

  it('refuses a family that would make the table inconsistent', () => {
    const log = ACTION_SPECS.get('log')!;
    const copy = implement(log, { run: async () => ({}) });
    expect(() => new ActionRegistry([...ACTION_FAMILIES, [copy]])).toThrow("Action 'log' is implemented twice");
    const stray = defineAction({ ...log, name: 'teleport', run: async () => ({}) });
    expect(() => new ActionRegistry([[stray]])).toThrow("Action 'teleport' has no spec");
    const ownSchema = defineAction({ ...log, params: z.object({}), run: async () => ({}) });
    expect(() => new ActionRegistry([[ownSchema]])).toThrow('must use the param schema of its spec');
    const mutating = implement(defineActionSpec({ ...log, mutating: true }), { run: async () => ({}) });
    expect(() => new ActionRegistry([[mutating]], new Map([['log', mutating]]))).toThrow('is mutating and needs a dryRun');
  });

  it('rates the risky steps for the pre-run approval check', () => {
    const risk = (name: string, params: unknown) => {
      const spec = ACTION_SPECS.get(name)!;
      return spec.risk?.(spec.params.parse(params) as never);
    };
    expect(risk('delete_files', { paths: ['/a', '/b'] })).toEqual({ level: 'high', reason: 'deletes 2 file(s)' });
    expect(risk('send_mail', {})).toEqual({ level: 'high', reason: 'sends mail' });
    expect(risk('make_request', { url: 'https://api.example.com/x', method: 'post' })).toEqual({ level: 'medium', reason: 'sends a POST request to api.example.com', phrase: { key: 'sends_request', args: { method: 'POST', host: 'api.example.com' } } });
    expect(risk('make_request', { url: 'https://api.example.com/x' })).toBeUndefined();
    expect(risk('click_by_text', { text: '送信する' })).toEqual({ level: 'high', reason: "clicks '送信する' (送信)" });
    expect(risk('click_by_text', { text: 'Purchase now' })?.level).toBe('high');
    expect(risk('click_by_text', { text: '次へ' })).toBeUndefined();
    expect(risk('delete_files', { from_state: true })?.reason).toBe('deletes the selected files');
  });
});
