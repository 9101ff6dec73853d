// SPDX-License-Identifier: Apache-2.0
// A small structured logger: one line per event with time, level, event name and fields, as text
// for people or JSON lines for log collectors. Callers pass only what is safe to keep: never keys,
// secrets or payloads.

export const LOG_LEVELS = ['error', 'info', 'debug'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]
export const LOG_FORMATS = ['text', 'json'] as const
export type LogFormat = (typeof LOG_FORMATS)[number]

export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined>>

export interface Logger {
  error(event: string, fields?: LogFields): void
  info(event: string, fields?: LogFields): void
  debug(event: string, fields?: LogFields): void
  /** Whether lines of `level` are written; lets hot paths skip building fields. */
  enabled(level: LogLevel): boolean
}

export interface LoggerOptions {
  readonly level: LogLevel
  readonly format: LogFormat
  /** Receives each line without its newline. */
  readonly write: (line: string) => void
  readonly now?: () => Date
}

export function createLogger(opts: LoggerOptions): Logger {
  const threshold = LOG_LEVELS.indexOf(opts.level)
  const now = opts.now ?? (() => new Date())
  const line = opts.format === 'json' ? jsonLine : textLine
  const at = (level: LogLevel) => (event: string, fields: LogFields = {}) => {
    if (LOG_LEVELS.indexOf(level) > threshold) return
    try {
      opts.write(line(now().toISOString(), level, event, fields))
    } catch {
      // Logging must never break what it reports on (a closed stderr, say).
    }
  }
  return {
    error: at('error'),
    info: at('info'),
    debug: at('debug'),
    enabled: (level) => LOG_LEVELS.indexOf(level) <= threshold
  }
}

function jsonLine(time: string, level: LogLevel, event: string, fields: LogFields): string {
  return JSON.stringify({ time, level, event, ...fields })
}

/** `time LEVEL event key=value ...`; values with spaces, quotes or '=' are JSON-quoted. */
function textLine(time: string, level: LogLevel, event: string, fields: LogFields): string {
  let s = `${time} ${level.toUpperCase()} ${event}`
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue
    const text = String(v)
    s += ` ${k}=${text === '' || /[\s"=]/.test(text) ? JSON.stringify(text) : text}`
  }
  return s
}
