import { closeSync, existsSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { isoAt } from './clock';
import type { LogFields, LogLevel, Logger } from './ports';

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const MAX_STRING = 8_192;

export interface LogSink {
  write(line: string): void;
  close(): void;
}

/** Sinks with lines not yet written; written when the process exits (`process.exit`, an uncaught error). */
const unwritten = new Set<RotatingFileSink>();
let exitHookInstalled = false;

/**
 * Appends JSON lines to a file and rotates it by size (`desktop-agent.log` → `.1` … `.N`).
 *
 * Lines are gathered and written together once per turn of the event loop (or at 64 KiB), not
 * one write(2) per line: a busy queue logs a line per step, and a system call each was a
 * measurable part of a short run (issue 18). They are written at the latest when the current
 * turn ends, at close(), and when the process exits; a kill -9 loses the lines of that one turn.
 */
export class RotatingFileSink implements LogSink {
  private fd: number;
  private size: number;
  private pending: string[] = [];
  private pendingChars = 0;
  private scheduled = false;
  /** Once closed, its descriptor number may belong to another file (a database): nothing is written. */
  private closed = false;

  constructor(
    private readonly file: string,
    private readonly maxBytes = 10 * 1024 * 1024,
    private readonly keep = 5,
  ) {
    mkdirSync(dirname(file), { recursive: true });
    this.fd = openSync(file, 'a', 0o600);
    this.size = fstatSync(this.fd).size;
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', () => {
        for (const sink of unwritten) sink.flush();
      });
    }
  }

  write(line: string): void {
    if (this.closed) return;
    this.pending.push(line);
    this.pendingChars += line.length + 1;
    unwritten.add(this);
    if (this.pendingChars >= 64 * 1024) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Writes the gathered lines now. */
  flush(): void {
    this.scheduled = false;
    unwritten.delete(this);
    if (!this.pending.length) return;
    const lines = this.pending;
    this.pending = [];
    this.pendingChars = 0;
    try {
      const text = lines.join('\n') + '\n';
      const bytes = Buffer.byteLength(text);
      if (this.size + bytes <= this.maxBytes) this.append(text, bytes);
      else this.appendRotating(lines);
    } catch {
      // A full disk must not crash the app; the lines are lost, the work goes on.
    }
  }

  /** Line by line, rotating whenever the next line would pass the size limit. */
  private appendRotating(lines: string[]): void {
    let chunk = '';
    let chunkBytes = 0;
    for (const line of lines) {
      const bytes = Buffer.byteLength(line) + 1;
      if (this.size + chunkBytes + bytes > this.maxBytes && this.size + chunkBytes > 0) {
        if (chunk) this.append(chunk, chunkBytes);
        this.rotate();
        chunk = '';
        chunkBytes = 0;
      }
      chunk += line + '\n';
      chunkBytes += bytes;
    }
    if (chunk) this.append(chunk, chunkBytes);
  }

  private append(text: string, bytes: number): void {
    writeSync(this.fd, text);
    this.size += bytes;
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    try {
      closeSync(this.fd);
    } catch {
      /* already closed */
    }
  }

  private rotate(): void {
    closeSync(this.fd);
    const oldest = `${this.file}.${this.keep}`;
    if (existsSync(oldest)) rmSync(oldest);
    for (let i = this.keep - 1; i >= 1; i--) {
      const from = `${this.file}.${i}`;
      if (existsSync(from)) renameSync(from, `${this.file}.${i + 1}`);
    }
    renameSync(this.file, `${this.file}.1`);
    this.fd = openSync(this.file, 'a', 0o600);
    this.size = 0;
  }
}

/** Collects lines in memory (tests). */
export class MemorySink implements LogSink {
  readonly lines: string[] = [];
  write(line: string): void {
    this.lines.push(line);
  }
  close(): void {}
  records(): Record<string, unknown>[] {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}

export interface LoggerOptions {
  sinks: LogSink[];
  level?: LogLevel;
  /** Applied to every string of every line before it is written: the secrets masker. */
  redact?: (value: unknown) => unknown;
  now?: () => number;
}

export function createLogger(options: LoggerOptions, component = 'App', base: LogFields = {}): Logger {
  const min = LEVELS[options.level ?? 'info'];
  const redact = options.redact ?? ((v: unknown) => v);
  const now = options.now ?? Date.now;

  const emit = (level: LogLevel, message: string, fields?: LogFields): void => {
    if (LEVELS[level] < min) return;
    // Built field by field rather than by spreads: a busy queue writes a few lines per run (issue 18).
    const record: Record<string, unknown> = { time: isoAt(now()), level, component, msg: bound(message) };
    for (const k in base) record[k] = base[k];
    if (fields) for (const k in fields) record[k] = boundField(fields[k]);
    const line = JSON.stringify(redact(record));
    for (const sink of options.sinks) {
      try {
        sink.write(line);
      } catch {
        // A full disk must not crash the app; the line is lost, the work goes on.
      }
    }
  };

  return {
    child: (name, fields) => createLogger(options, name, { ...base, ...fields }),
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

function bound(s: string): string {
  return s.length > MAX_STRING ? `${s.slice(0, MAX_STRING)}…(${s.length - MAX_STRING} more chars)` : s;
}

function boundField(v: unknown): unknown {
  if (typeof v === 'string') return bound(v);
  if (v instanceof Error) return { name: v.name, message: bound(v.message) };
  return v;
}

/** A logger that writes nothing (short-lived CLI commands that must not touch the log file). */
export const silentLogger: Logger = {
  child: () => silentLogger,
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};
