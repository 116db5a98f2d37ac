/**
 * The mock's log: one line per request, readable by default (`--log-format json` for machines), and
 * start-up/shutdown notes. Writes go to a stream so tests can capture them.
 */
import type { Writable } from 'node:stream';
import { merged } from '../object-merge.ts';

export type LogFormat = 'text' | 'json';

export interface RequestLogEntry {
  time: Date;
  method: string;
  path: string;
  status: number;
  ms: number;
  tenant?: string;
  operationId?: string;
  voiceCallId?: string;
  errorCode?: string;
  /** Rules that refused the request. */
  rules?: string[];
  /** Rules that let it through with a warning. */
  warnings?: string[];
  /** What each rule said, for the indented detail lines. */
  notes?: string[];
}

export interface Logger {
  /**
   * The start: in text the banner's lines; in JSON one line with `event: "listening"`, the fields (the
   * URL above all, for a script that started the mock on --port 0) and the banner's lines.
   */
  started(fields: Readonly<Record<string, unknown>>, lines: readonly string[]): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  request(entry: RequestLogEntry): void;
  /** False when request lines are not written (--quiet, or a silent logger): callers need not build them. */
  readonly logsRequests: boolean;
}

const clock = (time: Date): string => time.toISOString().slice(11, 23);

const NAMED_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * A text line with every control character shown as an escape (\n, \r, \t, \xNN): the line carries
 * values clients sent (keys, ids, field names, token claims), and a CR, LF or terminal escape among them
 * would forge log lines or drive the reader's terminal. JSON lines are escaped by JSON itself.
 */
export function escapeControl(line: string): string {
  return line.replace(
    // eslint-disable-next-line no-control-regex -- control characters are what this finds
    /[\u0000-\u001f\u007f-\u009f]/g,
    (c) => NAMED_ESCAPES[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

/** `quiet` silences the per-request lines only; start-up notes, warnings and errors still print. */
export function createLogger(options: { format: LogFormat; stream?: Writable; quiet?: boolean }): Logger {
  const stream = options.stream ?? process.stdout;
  const write = (line: string) => stream.write(`${options.format === 'text' ? escapeControl(line) : line}\n`);
  const note = (level: string) => (message: string) => {
    if (options.format === 'json') write(JSON.stringify({ time: new Date().toISOString(), level, message }));
    else write(level === 'info' ? message : `${level.toUpperCase()}: ${message}`);
  };
  return {
    logsRequests: options.quiet !== true,
    started: (fields, lines) => {
      if (options.format === 'json')
        write(
          JSON.stringify({
            time: new Date().toISOString(),
            level: 'info',
            event: 'listening',
            ...fields,
            banner: lines,
          }),
        );
      else for (const line of lines) write(line);
    },
    info: note('info'),
    warn: note('warn'),
    error: note('error'),
    request: (entry) => {
      if (options.quiet === true) return;
      if (options.format === 'json') {
        write(JSON.stringify(merged(entry, { time: entry.time.toISOString(), ms: Number(entry.ms.toFixed(2)) })));
        return;
      }
      const parts = [
        clock(entry.time),
        entry.method.padEnd(5),
        entry.path,
        String(entry.status),
        `${entry.ms.toFixed(1)}ms`,
      ];
      if (entry.tenant !== undefined) parts.push(`tenant=${entry.tenant}`);
      if (entry.errorCode !== undefined) parts.push(`error=${entry.errorCode}`);
      if (entry.rules !== undefined && entry.rules.length > 0) parts.push(`rule=${entry.rules.join(',')}`);
      if (entry.warnings !== undefined && entry.warnings.length > 0) parts.push(`warn=${entry.warnings.join(',')}`);
      write(parts.join(' '));
      for (const line of entry.notes ?? []) write(`    ↳ ${line}`);
    },
  };
}

export const silentLogger: Logger = {
  logsRequests: false,
  started() {},
  info() {},
  warn() {},
  error() {},
  request() {},
};
