import { afterEach, describe, expect, it } from 'vitest';
import { asUser, tempCore, until, type TempCore } from '../../../test-support/temp-core';

let t: TempCore | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

describe("the core's event bus", () => {
  it("logs a listener's error with its event in the core's log (component Events), and the others still hear it", async () => {
    t = await tempCore();
    const heard: string[] = [];
    t.core.bus.on('queue.paused', () => {
      throw new Error('listener broke');
    });
    t.core.bus.on('queue.paused', (e) => heard.push(e.data.queue));
    await t.core.invoke('queues.pause', { name: 'default' }, asUser('Admin'));
    expect(heard).toEqual(['default']);
    const line = await until('the listener error in the log', () => t!.logs.records().find((r) => r.msg === "A listener of 'queue.paused' failed"));
    expect(line).toMatchObject({ level: 'error', component: 'Events', event: 'queue.paused', error: expect.objectContaining({ message: 'listener broke' }) });
  });
});
