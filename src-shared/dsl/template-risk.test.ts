import { describe, expect, it } from 'vitest';
import { actionSpec } from './actions';
import { assessTemplateRisk } from './template-risk';
import { validateTemplate } from './validate';

function riskOf(steps: string) {
  const report = validateTemplate(`dsl_version: "1.1"\nname: t\nvariables: { label: "送信" }\nsteps:\n${steps}`);
  if (!report.template) throw new Error(JSON.stringify(report.errors));
  return assessTemplateRisk(report.template, actionSpec);
}

describe('assessTemplateRisk', () => {
  it('finds nothing risky in reading steps', () => {
    expect(riskOf(`  - log: { message: hi }\n  - make_request: { url: "https://example.com" }\n`)).toEqual({ risks: [] });
  });

  it('names every risky step, nested ones too, and takes the highest level', () => {
    const r = riskOf(`  - open_browser: { url: "https://example.com/form" }
  - click_by_text: { text: "確認画面へ" }
  - make_request: { method: POST, url: "https://api.example.com/orders" }
  - for_each:
      items: [1, 2]
      steps:
        - click_by_text: { text: "注文を確定する" }
  - compose_mail: { to: "keiri@example.co.jp", subject: "注文" }
  - send_mail: {}
`);
    expect(r.level).toBe('high');
    expect(r.risks).toEqual([
      { where: 'steps[2]', action: 'make_request', level: 'medium', reason: 'sends a POST request to api.example.com', phrase: { key: 'sends_request', args: { method: 'POST', host: 'api.example.com' } } },
      { where: 'steps[3].for_each.steps[0]', action: 'click_by_text', level: 'high', reason: "clicks '注文を確定する' (確定)" },
      { where: 'steps[5]', action: 'send_mail', level: 'high', reason: 'sends mail' },
    ]);
  });

  it('counts a click whose text is only known at run time as medium', () => {
    expect(riskOf(`  - click_by_text: { text: "{{label}}" }\n`)).toEqual({
      level: 'medium',
      risks: [{ where: 'steps[0]', action: 'click_by_text', level: 'medium', reason: 'clicks an element whose text is decided at run time ({{label}})' }],
    });
  });
});
