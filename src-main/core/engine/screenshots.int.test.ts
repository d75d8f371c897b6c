import { afterEach, describe, expect, it } from 'vitest';
import { engineHarness, template, type EngineHarness } from '../../../test-support/engine';
import { startTestSite, type TestSite } from '../../../test-support/web-test-site';

let h: EngineHarness;
let site: TestSite;
afterEach(async () => {
  h?.cleanup();
  await site?.close();
});

describe('screenshots of what the robot saw', () => {
  it('are kept after a failed web step and after a step that asks for one', async () => {
    site = await startTestSite();
    h = engineHarness();
    const r = await h.run(
      template(`  - open_browser: { url: "${site.url}/contact", screenshot: true }
  - assert_text: { contains: "この文言はありません", timeout_ms: 300 }
`),
    );
    expect(r.outcome).toMatchObject({ status: 'failed', failedStep: 1 });
    expect(r.view.steps[0]!.artifacts).toEqual([expect.objectContaining({ contentType: 'image/png', kind: 'screenshot' })]);
    expect(r.view.steps[1]!.artifacts).toEqual([expect.objectContaining({ contentType: 'image/png', kind: 'screenshot' })]);
    expect(r.view.steps[1]!.artifacts[0]!.bytes).toBeGreaterThan(1000);
  }, 60_000);
});
