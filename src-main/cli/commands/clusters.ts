/**
 * `desktop-agent clusters analyze FILE [--json] [--no-rules]`: the app's failure classifier over
 * a log, one message per line, streaming (memory bounded by the number of clusters, not lines).
 * Imports only the classifier (and, for custom rules, the config parser) so it starts fast.
 */
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../../host/runtime-options';
import { FailureClassifier } from '../../core/clusters/classifier';
import { RuleSet } from '../../core/clusters/rule-set';
import { TemplateMiner } from '../../core/clusters/template-miner';
import { EXIT, parseCommandArgs, type Command } from '../io';

const FLUSH_CHARS = 1 << 16;

async function loadRules(configDir: string | undefined): Promise<RuleSet | string> {
  const file = configDir ? join(configDir, 'failure_rules.yaml') : undefined;
  if (!file || !existsSync(file)) return new RuleSet();
  const [{ failureRulesFileSchema }, { parseConfigText, formatProblem }] = await Promise.all([
    import('@shared/config/failure-rules'),
    import('../../core/config/config-store'),
  ]);
  const parsed = parseConfigText(failureRulesFileSchema, readFileSync(file, 'utf8'), file);
  if (!parsed.ok) return parsed.problems.map(formatProblem).join('\n');
  return new RuleSet(parsed.value.rules);
}

export const clustersCommand: Command = {
  name: 'clusters',
  summary: 'Group failure messages offline: `clusters analyze FILE` prints each line\'s cluster',
  usage: 'desktop-agent clusters analyze FILE [--json] [--no-rules] [--config-dir DIR]',
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { json: { type: 'boolean' }, 'no-rules': { type: 'boolean' } });
    const [sub, path, ...extra] = positionals;
    if (sub !== 'analyze') throw new UsageError(sub ? `unknown clusters command '${sub}' (analyze)` : 'clusters needs a command: analyze');
    if (!path || extra.length) throw new UsageError('clusters analyze takes exactly one FILE (- reads standard input)');
    const file = path === '-' ? undefined : resolve(io.cwd, path);
    if (file && !existsSync(file)) {
      io.stderr(`desktop-agent clusters: ${file}: no such file\n`);
      return EXIT.invalid;
    }
    const configDir = typeof values['config-dir'] === 'string' ? values['config-dir'] : io.env.DESKTOP_AGENT_CONFIG_DIR;
    const rules = values['no-rules'] ? null : await loadRules(configDir);
    if (typeof rules === 'string') {
      io.stderr(`${rules}\n`);
      return EXIT.invalid;
    }
    const classifier = new FailureClassifier(rules, new TemplateMiner());
    const json = Boolean(values.json);
    const input = file ? createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 16 }) : process.stdin.setEncoding('utf8');
    /** JSON of each template seen lately: most lines repeat a template, so it is encoded once. */
    let encoded = new Map<string, string>();
    const encode = (template: string) => {
      let e = encoded.get(template);
      if (e === undefined) {
        if (encoded.size >= 10_000) encoded = new Map();
        e = JSON.stringify(template);
        encoded.set(template, e);
      }
      return e;
    };
    let out = '';
    let lineNo = 0;
    const emit = (raw: string) => {
      const message = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      lineNo++;
      const c = classifier.classify(message);
      out += json
        ? `{"line":${lineNo},"cluster":"${c.cluster}","template":${encode(c.template)}}\n`
        : `${lineNo}\t${c.cluster}\t${c.template}\n`;
    };
    let rest = '';
    for await (const chunk of input as AsyncIterable<string>) {
      const text = rest + chunk;
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        emit(text.slice(start, nl));
        start = nl + 1;
      }
      rest = text.slice(start);
      if (out.length >= FLUSH_CHARS) {
        io.stdout(out);
        out = '';
        await io.drained?.();
      }
    }
    if (rest) emit(rest);
    io.stdout(out);
    return EXIT.ok;
  },
};
