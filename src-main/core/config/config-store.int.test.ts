import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemorySink, createLogger } from '../kernel/logger';
import { ConfigInvalidError, ConfigStore } from './config-store';

const DEFAULTS = resolve(__dirname, '../../../configs');

function makeStore() {
  const dir = mkdtempSync(join(tmpdir(), 'da-cfg-'));
  const sink = new MemorySink();
  const rejected: { file: string; problems: string[] }[] = [];
  const store = new ConfigStore({
    configDir: join(dir, 'configs'),
    defaultConfigDir: DEFAULTS,
    logger: createLogger({ sinks: [sink] }, 'Config'),
    onRejected: (file, problems) => rejected.push({ file, problems }),
  });
  return { dir, store, sink, rejected };
}

/** The error loadStrict throws (undefined when it loads). */
function strictLoadError(store: ConfigStore): ConfigInvalidError | undefined {
  try {
    store.loadStrict();
  } catch (e) {
    return e as ConfigInvalidError;
  }
  return undefined;
}

describe('ConfigStore', () => {
  it('copies the shipped defaults on first start and loads them in the guide shape', () => {
    const { dir, store } = makeStore();
    store.load();
    expect(readFileSync(join(dir, 'configs', 'orchestrator.yaml'), 'utf8')).toContain('max_concurrent: 3');
    const o = store.orchestrator;
    expect(o.queues.default!.max_concurrent).toBe(3);
    expect(o.queues.high_priority!.max_concurrent).toBe(5);
    // Omitted fields take the default queue's values.
    expect(o.queues.background!.retry_policy.backoff_multiplier).toBe(1.5);
    expect(o.queues.background!.max_queued).toBe(1000);
    expect(o.concurrency_tags['web-form']).toBe(1);
    expect(o.global.max_total_concurrent).toBe(10);
  });

  it('reports an invalid file as file:line:column at start', () => {
    const { dir, store } = makeStore();
    cpSync(DEFAULTS, join(dir, 'configs'), { recursive: true });
    writeFileSync(join(dir, 'configs', 'orchestrator.yaml'), 'queues:\n  default:\n    max_concurrent: "three"\n    speed: 9\n');
    const err = strictLoadError(store);
    expect(err).toBeInstanceOf(ConfigInvalidError);
    const file = join(dir, 'configs', 'orchestrator.yaml');
    expect(err!.message).toContain(`${file}:3:21: queues.default.max_concurrent:`);
    expect(err!.message).toContain(`${file}:4:5: queues.default.speed: unknown key 'speed'`);
  });

  it('names the file, line and column of a bad files.allowed_roots entry, and loads the shipped default roots', () => {
    const { dir, store } = makeStore();
    store.load();
    expect(store.orchestrator.files.allowed_roots).toEqual(['~', '<temp-dir>', '<data-dir>']);
    const file = join(dir, 'configs', 'orchestrator.yaml');
    writeFileSync(file, 'files:\n  allowed_roots:\n    - "~"\n    - Documents/経理\n');
    const err = strictLoadError(store);
    expect(err).toBeInstanceOf(ConfigInvalidError);
    expect(err!.message).toContain(`${file}:4:7: files.allowed_roots[1]: 'Documents/経理' is not an absolute folder: write ~ or ~/folder, <temp-dir>, <data-dir>, /absolute/path, a drive (D:\\) or a share (\\\\server\\share)`);
  });

  it('falls back to built-in defaults for an invalid file in lenient mode and says why', () => {
    const { dir, store } = makeStore();
    cpSync(DEFAULTS, join(dir, 'configs'), { recursive: true });
    writeFileSync(join(dir, 'configs', 'schedules.yaml'), 'schedules: [{id: x}]\n');
    const problems = store.load();
    expect(problems.length).toBeGreaterThan(0);
    expect(store.get('schedules.yaml').schedules).toEqual([]);
    expect(store.orchestrator.queues.default!.max_concurrent).toBe(3);
  });

  it('keeps the last good configuration when a reload is invalid', () => {
    const { dir, store, rejected } = makeStore();
    store.load();
    const file = join(dir, 'configs', 'orchestrator.yaml');
    writeFileSync(file, 'queues:\n  default:\n    max_concurrent: 7\n');
    expect(store.reload('orchestrator.yaml')).toBe(true);
    expect(store.orchestrator.queues.default!.max_concurrent).toBe(7);
    writeFileSync(file, 'queues:\n  default:\n    max_concurrent: [oops\n');
    expect(store.reload('orchestrator.yaml')).toBe(false);
    expect(store.orchestrator.queues.default!.max_concurrent).toBe(7);
    expect(rejected[0]!.problems[0]).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: `));
  });

  it('rejects a webhook without a secret unless it says signature: none', () => {
    const { dir, store } = makeStore();
    store.load();
    writeFileSync(
      join(dir, 'configs', 'webhooks.yaml'),
      'webhooks:\n  - id: deploy\n    name: Deploy\n    endpoint: /webhooks/deploy\n    template: deploy.yaml\n',
    );
    expect(store.reload('webhooks.yaml')).toBe(false);
    expect(store.problems.get('webhooks.yaml')![0]!.message).toMatch(/signature: none/);
  });

  it('writes a file back atomically and validates it first', () => {
    const { dir, store } = makeStore();
    store.load();
    store.write('watchers.yaml', {
      watchers: [{ id: 'inv', name: '請求書処理', watch_path: '/tmp/in', template: 't.yaml', patterns: ['*.pdf'] }],
    });
    expect(readFileSync(join(dir, 'configs', 'watchers.yaml'), 'utf8')).toContain('請求書処理');
    expect(store.get('watchers.yaml').watchers[0]!.debounce_ms).toBe(1000);
    expect(() => store.write('watchers.yaml', { watchers: [{ id: 'bad id!' } as never] })).toThrow(ConfigInvalidError);
  });
});
