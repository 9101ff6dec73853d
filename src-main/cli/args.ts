// SPDX-License-Identifier: Apache-2.0
// Thin wrapper over node:util parseArgs that turns its exceptions into one-line usage errors.
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { UsageError } from './usage-error'

export type Options = NonNullable<ParseArgsConfig['options']>

export function parse<O extends Options>(argv: string[], options: O, maxPositionals: number) {
  let parsed
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true })
  } catch (e) {
    // parseArgs appends advice about '--' that does not apply to us: keep the first sentence.
    throw new UsageError(((e as Error).message.split(/\n|\. /)[0] ?? 'bad arguments').replace(/\.$/, ''))
  }
  if (parsed.positionals.length > maxPositionals)
    throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[maxPositionals])}`)
  return parsed
}

/** Parses a TCP/UDP port option: 0 (ephemeral) .. 65535. */
export function portOption(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (!/^[0-9]{1,5}$/.test(value) || Number(value) > 65535)
    throw new UsageError(`--${name} must be a port number 0..65535 (0 picks a free one), got ${JSON.stringify(value)}`)
  return Number(value)
}

/** An option that takes one of a few words: the word, or `fallback` when the option is absent. */
export function oneOf<T extends string, F extends T | undefined>(name: string, value: string | undefined, allowed: readonly T[], fallback: F): T | F {
  if (value === undefined) return fallback
  if (!(allowed as readonly string[]).includes(value))
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`)
  return value as T
}
