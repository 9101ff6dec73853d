// SPDX-License-Identifier: Apache-2.0
// Command inputs: inline text, @file, or - for standard input.
import { readFileSync } from 'node:fs'
import { UsageError } from './usage-error'

export function readInputBytes(arg: string): Uint8Array {
  if (arg === '-') return new Uint8Array(readFileSync(0))
  if (arg.startsWith('@')) {
    try {
      return new Uint8Array(readFileSync(arg.slice(1)))
    } catch (e) {
      throw new UsageError(`cannot read ${arg.slice(1)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
    }
  }
  return parseHex(arg)
}

export function readInputText(arg: string): string {
  if (arg === '-' || arg.startsWith('@')) return new TextDecoder().decode(readInputBytes(arg))
  return arg
}

/** "c2 01 0e 10", "C2:01:0E:10", "0xc2010e10" → bytes. */
export function parseHex(text: string): Uint8Array {
  const clean = text.replace(/^0x/i, '').replace(/[\s:]/g, '')
  if (!/^[0-9a-fA-F]*$/.test(clean)) {
    const bad = clean.match(/[^0-9a-fA-F]/)?.[0]
    throw new UsageError(`payload is not hex (found ${JSON.stringify(bad)}); give hex, @file or - for stdin`)
  }
  if (clean.length % 2 !== 0) throw new UsageError(`hex payload has an odd number of digits (${clean.length})`)
  const out = new Uint8Array(clean.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16)
  return out
}

export function toHex(bytes: Uint8Array): string {
  let s = ''
  for (const b of bytes) s += b.toString(16).padStart(2, '0')
  return s
}
