import { closeSync, mkdtempSync, openSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Redactor } from '../security/redaction';
import { RotatingFileSink, createLogger } from './logger';

describe('logger', () => {
  it('writes JSON lines with a component field that grep can find', () => {
    const dir = mkdtempSync(join(tmpdir(), 'da-log-'));
    const sink = new RotatingFileSink(join(dir, 'desktop-agent.log'));
    const log = createLogger({ sinks: [sink] }).child('Queue');
    log.info('run claimed', { runId: 'r1' });
    sink.close();
    const [line] = readFileSync(join(dir, 'desktop-agent.log'), 'utf8').trim().split('\n');
    const rec = JSON.parse(line!);
    expect(rec).toMatchObject({ level: 'info', component: 'Queue', msg: 'run claimed', runId: 'r1' });
    expect(line).toContain('"Queue"');
  });

  it('rotates by size and keeps the configured number of files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'da-log-'));
    const file = join(dir, 'desktop-agent.log');
    const sink = new RotatingFileSink(file, 1_000, 2);
    const log = createLogger({ sinks: [sink] }, 'API');
    for (let i = 0; i < 100; i++) log.info(`line ${i} ${'x'.repeat(50)}`);
    sink.close();
    expect(readdirSync(dir).sort()).toEqual(['desktop-agent.log', 'desktop-agent.log.1', 'desktop-agent.log.2']);
    expect(readFileSync(file, 'utf8')).toContain('line 99');
  });

  it('masks registered secret values in messages and fields', () => {
    const dir = mkdtempSync(join(tmpdir(), 'da-log-'));
    const sink = new RotatingFileSink(join(dir, 'desktop-agent.log'));
    const redactor = new Redactor();
    const log = createLogger({ sinks: [sink], redact: (v) => redactor.maskDeep(v) }, 'Secrets');
    redactor.register('tok-123456');
    log.error('request failed with tok-123456', { header: 'Bearer tok-123456', err: new Error('bad tok-123456') });
    sink.close();
    const text = readFileSync(join(dir, 'desktop-agent.log'), 'utf8');
    expect(text).not.toContain('tok-123456');
    expect(text).toContain('***');
  });

  it('writes nothing after close, so a line logged late never lands in the file that reuses its descriptor', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'da-log-'));
    const sink = new RotatingFileSink(join(dir, 'desktop-agent.log'));
    const log = createLogger({ sinks: [sink] }, 'Late');
    log.info('before close');
    sink.close();
    // The lowest free descriptor: the one the sink just closed.
    const other = join(dir, 'other.db');
    const fd = openSync(other, 'w');
    log.info('after close');
    sink.close();
    await new Promise((r) => setImmediate(r)); // the turn in which a gathered line would be written
    closeSync(fd);
    expect(readFileSync(other, 'utf8')).toBe('');
    expect(readFileSync(join(dir, 'desktop-agent.log'), 'utf8')).toContain('before close');
  });
});
