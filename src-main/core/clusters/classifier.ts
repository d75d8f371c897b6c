/**
 * One failure message → its cluster: the rules first (rule-set.ts), then template mining
 * (template-miner.ts). The app (on every recorded failure) and `clusters analyze` use this one
 * class, so a message lands in the same cluster in both.
 */
import { maskMessage } from './mask';
import type { RuleInfo, RuleSet } from './rule-set';
import { templateText, type MineResult, type TemplateMiner } from './template-miner';

export interface Classification {
  cluster: string;
  /** The masked message (rule clusters) or the mined template as it is now. */
  template: string;
  rule?: RuleInfo;
  mined?: MineResult;
}

export class FailureClassifier {
  /** rules: null classifies by mining alone (`--no-rules`). */
  constructor(
    private readonly rules: RuleSet | null,
    readonly miner: TemplateMiner,
  ) {}

  classify(message: string, code?: string | null): Classification {
    const rule = this.rules?.match(message, code);
    const tokens = maskMessage(message);
    if (rule) return { cluster: rule.id, template: templateText(tokens), rule };
    const mined = this.miner.addTokens(tokens);
    return { cluster: mined.cluster.id, template: templateText(mined.cluster.tokens), mined };
  }
}
