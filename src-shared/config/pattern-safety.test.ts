import { describe, expect, it } from 'vitest';
import { failureRulesFileSchema } from './failure-rules';
import { parseYamlSource } from '../domain/yaml-source';
import { BUILTIN_FAILURE_RULES } from '../domain/builtin-failure-rules';
import { unsafePatternReason } from './pattern-safety';

describe('failure-rule pattern safety', () => {
  it.each([
    ['(a+)+$', /nested repetition/],
    ['(x*y*)*z', /nested repetition/],
    ['((ab)+c)+', /nested repetition/],
    ['(a|ab)*c', /alternatives/],
    ['(\\w|\\d){2,}', /alternatives/],
    ['(a)\\1', /back-references/],
    ['foo(?=bar)', /lookahead/],
    ['a.*b.*c.*d', /more than 2 unbounded/],
    ['([', /not a valid regular expression/],
  ])('refuses %s', (pattern, reason) => {
    expect(unsafePatternReason(pattern)).toMatch(reason);
  });

  it.each(['timeout.*network', 'connection.*timed out', '(?:ECONNREFUSED|ECONNRESET)', 'user (admin|root)?', 'id=[0-9a-f]{8}', '(ab)+c', "queue '[^']*' is full", 'x{2,5}y'])('accepts %s', (pattern) => {
    expect(unsafePatternReason(pattern)).toBeUndefined();
  });

  it('accepts every built-in pattern (they are held to the same rule)', () => {
    for (const rule of BUILTIN_FAILURE_RULES) for (const p of rule.patterns) expect(unsafePatternReason(p), `${rule.id}: ${p}`).toBeUndefined();
  });

  it('refuses a catastrophic pattern in failure_rules.yaml and says where it is', () => {
    const text = 'rules:\n  SLOW_RULE:\n    patterns:\n      - "timeout"\n      - "(a+)+b"\n    display_name: slow\n';
    const src = parseYamlSource(text);
    const result = failureRulesFileSchema.safeParse(src.value);
    expect(result.success).toBe(false);
    const issue = result.error!.issues[0]!;
    expect(issue.message).toMatch(/pattern refused: nested repetition/);
    expect(src.locate(issue.path.filter((p): p is string | number => typeof p !== 'symbol'), false).line).toBe(5);
  });
});
