import { BUILTIN_FAILURE_RULES, GENERIC_ACTIONS } from '@shared/domain/builtin-failure-rules';
import type { Locale } from '../../i18n';

const BUILTIN = new Map(BUILTIN_FAILURE_RULES.map((r) => [r.id, r]));

/**
 * A cluster's name and recommended actions in the reader's language: built-in rules and mined
 * clusters have both languages (src-shared); custom rules say what failure_rules.yaml says.
 */
export function clusterTexts(c: { id: string; source: string; display_name: string; recommended_actions: string[] }, locale: Locale): { name: string; actions: readonly string[] } {
  const lang = locale === 'ja' ? 'ja' : 'en';
  const builtin = c.source === 'builtin' ? BUILTIN.get(c.id) : undefined;
  if (builtin) return { name: builtin.display_name[lang], actions: builtin.recommended_actions[lang] };
  if (c.source === 'mined') return { name: c.display_name, actions: GENERIC_ACTIONS[lang] };
  return { name: c.display_name, actions: c.recommended_actions };
}
