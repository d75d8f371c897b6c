import type { RiskLevel } from '../../config/orchestrator';

/**
 * Words on buttons and links whose click sends, commits, deletes or pays (SPEC section 9:
 * the pre-run risk check). Japanese words match anywhere in the text (送信する, 削除確認);
 * English words match as whole words (Submit order, not Submitted). Extend the lists here.
 */
export const CLICK_RISK_WORDS: Record<Exclude<RiskLevel, 'low' | 'critical'>, { ja: readonly string[]; en: readonly string[] }> = {
  high: {
    ja: ['送信', '確定', '削除', '購入', '注文', '支払', '支払い', '決済', '申し込', '申込', '退会', '解約', '送金', '振込', '発注'],
    en: ['submit', 'send', 'delete', 'remove', 'purchase', 'buy', 'pay', 'order', 'checkout', 'confirm', 'transfer', 'unsubscribe'],
  },
  medium: {
    ja: ['保存', '登録', '更新', '承認', '変更', '適用'],
    en: ['save', 'register', 'update', 'approve', 'apply'],
  },
};

export function clickRisk(text: string): { level: RiskLevel; reason: string } | undefined {
  if (text.includes('{{')) return { level: 'medium', reason: `clicks an element whose text is decided at run time (${text})` };
  const normalized = text.normalize('NFKC').toLowerCase();
  for (const level of ['high', 'medium'] as const) {
    const words = CLICK_RISK_WORDS[level];
    const hit = words.ja.find((w) => normalized.includes(w)) ?? words.en.find((w) => new RegExp(`\\b${w}\\b`).test(normalized));
    if (hit) return { level, reason: `clicks '${text}' (${hit})` };
  }
  return undefined;
}
