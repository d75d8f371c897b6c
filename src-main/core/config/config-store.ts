import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { z } from 'zod';
import { CONFIG_FILES, resolveOrchestrator, type ConfigFileName, type ConfigFileValue, type OrchestratorConfig } from '@shared/config';
import { formatPath, parseYamlSource } from '@shared/domain/yaml-source';
import type { Logger } from '../kernel/ports';

export interface ConfigProblem {
  file: string;
  line: number;
  column: number;
  path: string;
  message: string;
}

export function formatProblem(p: ConfigProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.path === '(root)' ? '' : `${p.path}: `}${p.message}`;
}

export class ConfigInvalidError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ConfigInvalidError';
  }
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; problems: ConfigProblem[] };

const MAX_CONFIG_BYTES = 1024 * 1024;

/** Parses and validates YAML text against a schema; problems carry file, line and column. */
export function parseConfigText<S extends z.ZodType>(schema: S, text: string, file: string): ParseResult<z.output<S>> {
  if (text.length > MAX_CONFIG_BYTES) {
    return { ok: false, problems: [{ file, line: 1, column: 1, path: '(root)', message: `file is larger than ${MAX_CONFIG_BYTES} bytes` }] };
  }
  const src = parseYamlSource(text);
  if (src.syntaxErrors.length) {
    return { ok: false, problems: src.syntaxErrors.map((e) => ({ file, line: e.line, column: e.column, path: '(root)', message: e.message })) };
  }
  const result = schema.safeParse(src.value ?? {});
  if (result.success) return { ok: true, value: result.data };
  const problems: ConfigProblem[] = [];
  for (const issue of result.error.issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const at = src.locate([...path, key]);
        problems.push({ file, ...at, path: formatPath([...path, key]), message: `unknown key '${key}'` });
      }
      continue;
    }
    const at = src.locate(path, false);
    problems.push({ file, ...at, path: formatPath(path), message: issue.message });
  }
  return { ok: false, problems };
}

type Listener = (name: ConfigFileName) => void;

export interface ConfigStoreOptions {
  configDir: string;
  defaultConfigDir: string;
  logger: Logger;
  /** Told about reloads and rejections (the event bus). */
  onReloaded?: (file: string) => void;
  onRejected?: (file: string, problems: string[]) => void;
}

/**
 * Holds the validated configuration. A bad file at reload is rejected with file:line:column
 * and the last good configuration stays in force.
 */
export class ConfigStore {
  private values = new Map<ConfigFileName, unknown>();
  private resolved: { raw: unknown; value: OrchestratorConfig } | undefined;
  private readonly listeners = new Set<Listener>();
  private watcher: { close(): Promise<void> } | undefined;
  private timers = new Map<string, NodeJS.Timeout>();
  /** The current problem per file, for status views. */
  readonly problems = new Map<ConfigFileName, ConfigProblem[]>();

  constructor(private readonly options: ConfigStoreOptions) {}

  /**
   * Copies missing defaults into the config dir and loads every file. An invalid file is
   * replaced by the built-in defaults and its problems are returned (and kept in `problems`);
   * strict callers (`serve`, the CLI) turn them into ConfigInvalidError.
   */
  load(): ConfigProblem[] {
    mkdirSync(this.options.configDir, { recursive: true });
    this.copyDefaults();
    const all: ConfigProblem[] = [];
    for (const name of Object.keys(CONFIG_FILES) as ConfigFileName[]) {
      const result = this.readFile(name);
      if (result.ok) {
        this.values.set(name, result.value);
        this.problems.delete(name);
      } else {
        this.values.set(name, CONFIG_FILES[name].parse({}));
        this.problems.set(name, result.problems);
        all.push(...result.problems);
      }
    }
    return all;
  }

  /** load(), throwing ConfigInvalidError when any file is invalid. */
  loadStrict(): void {
    const problems = this.load();
    if (problems.length) throw new ConfigInvalidError(problems);
  }

  get<F extends ConfigFileName>(name: F): ConfigFileValue<F> {
    if (!this.values.has(name)) throw new Error(`Configuration ${name} was not loaded`);
    return this.values.get(name) as ConfigFileValue<F>;
  }

  /** The resolved orchestrator settings; resolved once per loaded value (the queue reads them on every dispatch). */
  get orchestrator(): OrchestratorConfig {
    const raw = this.get('orchestrator.yaml');
    if (this.resolved?.raw !== raw) this.resolved = { raw, value: resolveOrchestrator(raw) };
    return this.resolved.value;
  }

  path(name: ConfigFileName): string {
    return join(this.options.configDir, name);
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Re-reads one file; returns false (keeping the last good value) when it is invalid. */
  reload(name: ConfigFileName): boolean {
    const result = this.readFile(name);
    const log = this.options.logger;
    if (!result.ok) {
      const lines = result.problems.map(formatProblem);
      this.problems.set(name, result.problems);
      log.error(`Rejected ${name}; the previous configuration stays in force`, { problems: lines });
      this.options.onRejected?.(name, lines);
      return false;
    }
    this.problems.delete(name);
    this.values.set(name, result.value);
    log.info(`Reloaded ${name}`);
    this.options.onReloaded?.(name);
    for (const l of this.listeners) l(name);
    return true;
  }

  /** Writes a file (what the API creates is written back) after validating it; atomic rename. */
  write<F extends ConfigFileName>(name: F, value: z.input<(typeof CONFIG_FILES)[F]>): void {
    this.writeText(name, stringify(value, { lineWidth: 0 }));
  }

  /**
   * Writes a file's text as given (an edit that keeps its comments) after validating it; atomic
   * rename. Throws ConfigInvalidError naming file:line:column when the text is invalid.
   */
  writeText(name: ConfigFileName, text: string): void {
    const parsed = parseConfigText(CONFIG_FILES[name], text, name);
    if (!parsed.ok) throw new ConfigInvalidError(parsed.problems);
    const file = this.path(name);
    const tmp = `${file}.tmp-${process.pid}`;
    writeFileSync(tmp, text, { mode: 0o600 });
    renameSync(tmp, file);
    this.problems.delete(name);
    this.values.set(name, parsed.value);
    for (const l of this.listeners) l(name);
  }

  /** The text of a config file as it is on disk ('' when it does not exist). */
  readText(name: ConfigFileName): string {
    const file = this.path(name);
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  }

  /** Hot reload: watches the config dir and reloads a changed file after it settles. */
  async watch(): Promise<void> {
    const { watch } = await import('chokidar');
    const names = new Set(Object.keys(CONFIG_FILES));
    const w = watch(this.options.configDir, { ignoreInitial: true, depth: 0, awaitWriteFinish: false });
    const onEvent = (path: string) => {
      const name = path.split(/[\\/]/).pop() ?? '';
      if (!names.has(name)) return;
      clearTimeout(this.timers.get(name));
      this.timers.set(
        name,
        setTimeout(() => this.reload(name as ConfigFileName), 150),
      );
    };
    w.on('add', onEvent).on('change', onEvent);
    await new Promise<void>((resolve) => w.once('ready', () => resolve()));
    this.watcher = w;
  }

  async close(): Promise<void> {
    for (const t of this.timers.values()) clearTimeout(t);
    await this.watcher?.close();
  }

  private copyDefaults(): void {
    for (const name of Object.keys(CONFIG_FILES)) {
      const target = join(this.options.configDir, name);
      const source = join(this.options.defaultConfigDir, name);
      if (!existsSync(target) && existsSync(source)) copyFileSync(source, target);
    }
  }

  private readFile(name: ConfigFileName): ParseResult<unknown> {
    const file = this.path(name);
    if (!existsSync(file)) return { ok: true, value: CONFIG_FILES[name].parse({}) };
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      return { ok: false, problems: [{ file, line: 1, column: 1, path: '(root)', message: `cannot read: ${(e as Error).message}` }] };
    }
    return parseConfigText(CONFIG_FILES[name], text, file);
  }
}
