/**
 * The failure rules in force: the built-in ones (their codes first, then their patterns), then
 * the custom rules of failure_rules.yaml. A custom rule with a built-in id adds its patterns to
 * that cluster and its texts replace the built-in ones (the operator's words win).
 */
import { BUILTIN_FAILURE_RULES } from '@shared/domain/builtin-failure-rules';
import type { FailureRuleConfig } from '@shared/config/failure-rules';
import type { RiskLevel } from '@shared/config/orchestrator';
import { RULE_INPUT_LIMIT } from '@shared/config/pattern-safety';

export interface RuleInfo {
  id: string;
  displayName: string;
  severity: RiskLevel;
  recommendedActions: string[];
  builtin: boolean;
}

interface CompiledRule extends RuleInfo {
  codes: ReadonlySet<string>;
  patterns: RegExp[];
}

export class RuleSet {
  private readonly rules: CompiledRule[];
  private readonly byId = new Map<string, CompiledRule>();
  private readonly custom: CompiledRule[];
  /** Every pattern in one expression: most messages match no rule, and one scan says so. */
  private readonly anyPattern: RegExp | undefined;

  /** custom: failure_rules.yaml's `rules`, already validated (pattern-safety ran at load). */
  constructor(custom: Record<string, FailureRuleConfig> = {}, language: 'en' | 'ja' = 'en') {
    this.rules = BUILTIN_FAILURE_RULES.map((r) => ({
      id: r.id,
      displayName: r.display_name[language],
      severity: r.severity,
      recommendedActions: [...r.recommended_actions[language]],
      builtin: true,
      codes: new Set(r.codes),
      patterns: r.patterns.map((p) => new RegExp(p, 'i')),
    }));
    for (const r of this.rules) this.byId.set(r.id, r);
    this.custom = [];
    for (const [id, c] of Object.entries(custom)) {
      const texts = { displayName: c.display_name, severity: c.severity, recommendedActions: [...c.recommended_actions] };
      const patterns = c.patterns.map((p) => new RegExp(p, 'i'));
      const builtin = this.byId.get(id);
      if (builtin) Object.assign(builtin, texts);
      const rule: CompiledRule = builtin ? { ...builtin, codes: new Set(), patterns } : { id, ...texts, builtin: false, codes: new Set(), patterns };
      if (!builtin) this.byId.set(id, rule);
      this.custom.push(rule);
    }
    this.anyPattern = combine([...this.rules, ...this.custom].flatMap((r) => r.patterns));
  }

  info(id: string): RuleInfo | undefined {
    const r = this.byId.get(id);
    return r && { id: r.id, displayName: r.displayName, severity: r.severity, recommendedActions: r.recommendedActions, builtin: r.builtin };
  }

  /** The first rule that claims the failure: by code, then by pattern (built-in, then custom). */
  match(message: string, code?: string | null): RuleInfo | undefined {
    if (code) for (const r of this.rules) if (r.codes.has(code)) return this.info(r.id);
    const text = message.length > RULE_INPUT_LIMIT ? message.slice(0, RULE_INPUT_LIMIT) : message;
    if (this.anyPattern && !this.anyPattern.test(text)) return undefined;
    for (const r of this.rules) if (r.patterns.some((p) => p.test(text))) return this.info(r.id);
    for (const r of this.custom) if (r.patterns.some((p) => p.test(text))) return this.info(r.id);
    return undefined;
  }
}

function combine(patterns: RegExp[]): RegExp | undefined {
  try {
    return new RegExp(patterns.map((p) => `(?:${p.source})`).join('|'), 'i');
  } catch {
    return undefined; // e.g. the same group name in two patterns: test them one by one
  }
}
