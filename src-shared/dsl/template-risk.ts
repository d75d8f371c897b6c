import { RISK_LEVELS, type RiskLevel } from '../config/orchestrator';
import type { ActionSpec } from './action-spec';
import { formatPath } from '../domain/yaml-source';
import { allSteps, type CompiledValue, type TemplateModel } from './template-model';

/** One risky step, for the approver to read. */
export interface StepRisk {
  /** `steps[3]` or `steps[1].for_each.steps[0]`. */
  where: string;
  action: string;
  level: RiskLevel;
  /** In English, for logs and the API. */
  reason: string;
  /** The same as a key and its words, for the UI to say it in its language (where the action gives one). */
  phrase?: RiskPhrase;
}

/** A risk reason the UI words itself (`templates.riskPhrases` in the renderer's messages). */
export interface RiskPhrase {
  key: 'sends_request';
  args: Record<string, string | null>;
}

export interface TemplateRisk {
  /** The highest level among the steps; undefined when no step is risky. */
  level?: RiskLevel;
  risks: StepRisk[];
}

export const riskRank = (level: RiskLevel): number => RISK_LEVELS.indexOf(level);

/** Params as written: a templated string stays its `{{ … }}` text (its value is only known at run time). */
function asWritten(v: CompiledValue): unknown {
  switch (v.k) {
    case 'lit':
      return v.v;
    case 'tpl':
      return v.raw;
    case 'list':
      return v.items.map(asWritten);
    case 'map':
      return Object.fromEntries(v.entries.map(([k, x]) => [k, asWritten(x)]));
  }
}

/**
 * The pre-run risk check of SPEC section 9: what each step's action says about its own risk
 * (`ActionSpec.risk`: clicks on 送信/Submit…, delete_files, send_mail, non-GET requests…), read
 * from the params as written. A step whose params only take shape at run time (a templated
 * number) is judged on what is written, and counted medium when even that cannot be read.
 */
export function assessTemplateRisk(model: TemplateModel, specOf: (action: string) => ActionSpec | undefined): TemplateRisk {
  const risks: StepRisk[] = [];
  for (const step of allSteps(model.steps)) {
    const spec = specOf(step.action);
    if (!spec?.risk) continue;
    const written = asWritten(step.params);
    const parsed = spec.params.safeParse(written);
    let risk: { level: RiskLevel; reason: string; phrase?: RiskPhrase } | undefined;
    try {
      risk = spec.risk(parsed.success ? parsed.data : written);
    } catch {
      risk = { level: 'medium', reason: 'its params are only known at run time' };
    }
    const where = step.path.at(-1) === step.action ? step.path.slice(0, -1) : step.path;
    if (risk) risks.push({ where: formatPath(where), action: step.action, ...risk });
  }
  const level = risks.reduce<RiskLevel | undefined>((top, r) => (top === undefined || riskRank(r.level) > riskRank(top) ? r.level : top), undefined);
  return { ...(level ? { level } : {}), risks };
}
