import { ConsoleLogger, type LoggerService, type LogLevel } from '@nestjs/common';
import { currentRequestId } from './request-context';

export type LogFormat = 'json' | 'pretty';

// Nest's level names, and the names log tooling expects (pino's, Loki's, Elastic's).
const LEVEL_NAMES: Record<LogLevel, string> = { fatal: 'fatal', error: 'error', warn: 'warn', log: 'info', debug: 'debug', verbose: 'trace' };

/**
 * One JSON object per line on stdout: `time`, `level`, `service`, `context`, `msg`, and `requestId`
 * when the line was written while serving a request. No colours, no multi-line records, so a file
 * or a log shipper reads it as is. Chosen over nestjs-pino: the services already log through Nest's
 * Logger, and this keeps one small dependency-free sink (docs/decisions/0048-json-logs-and-metrics.md).
 * Callers log identifiers and codes, never keys, tokens or personal data.
 */
export class JsonLogger implements LoggerService {
  private readonly enabled: Set<LogLevel>;

  constructor(
    private readonly service: string,
    levels: readonly LogLevel[],
    private readonly write: (line: string) => void = (line) => process.stdout.write(line),
  ) {
    this.enabled = new Set(levels);
  }

  // Nest's LoggerService, one level each.
  log = (message: unknown, ...rest: unknown[]): void => this.emit('log', message, rest);
  error = (message: unknown, ...rest: unknown[]): void => this.emit('error', message, rest);
  warn = (message: unknown, ...rest: unknown[]): void => this.emit('warn', message, rest);
  debug = (message: unknown, ...rest: unknown[]): void => this.emit('debug', message, rest);
  verbose = (message: unknown, ...rest: unknown[]): void => this.emit('verbose', message, rest);
  fatal = (message: unknown, ...rest: unknown[]): void => this.emit('fatal', message, rest);

  setLogLevels(levels: LogLevel[]): void {
    this.enabled.clear();
    for (const l of levels) this.enabled.add(l);
  }

  /** A structured record (e.g. the gateway's access log): fields beside the message, same line format. */
  record(level: LogLevel, context: string, msg: string, fields: Record<string, unknown>): void {
    if (!this.enabled.has(level)) return;
    this.line({ level: LEVEL_NAMES[level], context, msg, ...fields });
  }

  private emit(level: LogLevel, message: unknown, rest: unknown[]): void {
    if (!this.enabled.has(level)) return;
    // Nest passes the context last (a string) and, for errors, a stack before it.
    const params = [...rest];
    const context = typeof params[params.length - 1] === 'string' ? (params.pop() as string) : undefined;
    const stack = level === 'error' || level === 'fatal' ? params.find((p): p is string => typeof p === 'string') : undefined;
    const err = message instanceof Error ? message : undefined;
    this.line({
      level: LEVEL_NAMES[level],
      ...(context ? { context } : {}),
      msg: err ? err.message : typeof message === 'string' ? message : JSON.stringify(message),
      ...(err?.stack ? { stack: err.stack } : stack ? { stack } : {}),
    });
  }

  private line(fields: Record<string, unknown>): void {
    const requestId = currentRequestId();
    this.write(`${JSON.stringify({ time: new Date().toISOString(), service: this.service, ...(requestId ? { requestId } : {}), ...fields })}\n`);
  }
}

/** The process's logger: JSON lines, or Nest's coloured console for a terminal (`PEIL_LOG_FORMAT=pretty`). */
export function createLogger(service: string, levels: readonly LogLevel[], format: LogFormat): LoggerService {
  if (format === 'pretty') return new ConsoleLogger(service, { logLevels: [...levels] });
  return new JsonLogger(service, levels);
}
