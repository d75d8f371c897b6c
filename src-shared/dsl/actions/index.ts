import type { ActionSpec } from '../action-spec';
import { CONTROL_ACTION_SPECS } from './control';
import { DESKTOP_ACTION_SPECS } from './desktop';
import { FILE_ACTION_SPECS } from './files';
import { HTTP_ACTION_SPECS } from './http';
import { MAIL_ACTION_SPECS } from './mail';
import { PDF_ACTION_SPECS } from './pdf';
import { WEB_ACTION_SPECS } from './web';

/** Every action of DSL 1.1, by name: what the validator checks templates against. */
export const ACTION_SPECS: ReadonlyMap<string, ActionSpec> = new Map(
  ([...FILE_ACTION_SPECS, ...PDF_ACTION_SPECS, ...MAIL_ACTION_SPECS, ...HTTP_ACTION_SPECS, ...WEB_ACTION_SPECS, ...DESKTOP_ACTION_SPECS, ...CONTROL_ACTION_SPECS] as readonly ActionSpec[]).map(
    (s) => [s.name, s],
  ),
);

export function actionSpec(name: string): ActionSpec | undefined {
  return ACTION_SPECS.get(name);
}
