// SPDX-License-Identifier: Apache-2.0
// The few option-value helpers the endpoint needs (RFC 7252 §3.2 uint, RFC 7959 §2.2 Block).
// TO BE REPLACED by options.ts / block.ts when the strict codec lands; kept private until then.

import { Option, type CoapOption, type OptionNumber } from './message'

/** §3.2: big-endian, leading zero bytes accepted. Values above 2^53 lose precision (none we use). */
export function decodeUint(value: Uint8Array): number {
  let n = 0
  for (const b of value) n = n * 256 + b
  return n
}

/** §3.2: minimal length; 0 is the empty value. */
export function encodeUint(n: number): Uint8Array {
  const bytes: number[] = []
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256)
  return Uint8Array.from(bytes)
}

export function findOption(options: readonly CoapOption[], n: OptionNumber): CoapOption | undefined {
  return options.find((o) => o.number === n)
}

export function uintOption(options: readonly CoapOption[], n: OptionNumber): number | null {
  const o = findOption(options, n)
  return o === undefined ? null : decodeUint(o.value)
}

/** Options without any of `numbers`. */
export function withoutOptions(
  options: readonly CoapOption[],
  ...numbers: OptionNumber[]
): CoapOption[] {
  return options.filter((o) => !numbers.includes(o.number))
}

/** Replaces every `number` option by one with `value`, keeping wire order (ascending, stable). */
export function withOption(
  options: readonly CoapOption[],
  number: OptionNumber,
  value: Uint8Array
): CoapOption[] {
  const rest = withoutOptions(options, number)
  const at = rest.findIndex((o) => o.number > number)
  const option = { number, value }
  return at < 0 ? [...rest, option] : [...rest.slice(0, at), option, ...rest.slice(at)]
}

export function withUintOption(
  options: readonly CoapOption[],
  number: OptionNumber,
  n: number
): CoapOption[] {
  return withOption(options, number, encodeUint(n))
}

/** RFC 7959 §2.2: NUM, M and SZX of a Block1/Block2 value; size = 2^(SZX+4). */
export interface BlockValue {
  readonly num: number
  readonly more: boolean
  readonly szx: number
}

export const MAX_BLOCK_NUM = 0xfffff

export function blockSize(szx: number): number {
  return 1 << (szx + 4)
}

/** The SZX of the largest block size ≤ `bytes` (16..1024); SZX 7 is BERT only (§2.2). */
export function szxFor(bytes: number): number {
  let szx = 0
  while (szx < 6 && blockSize(szx + 1) <= bytes) szx++
  return szx
}

/** null when the option is absent or longer than 3 bytes (§2.2: uint 0-3). */
export function blockOption(options: readonly CoapOption[], n: OptionNumber): BlockValue | null {
  const o = findOption(options, n)
  if (o === undefined || o.value.length > 3) return null
  const v = decodeUint(o.value)
  return { num: Math.floor(v / 16), more: (v & 8) !== 0, szx: v & 7 }
}

export function encodeBlock(b: BlockValue): Uint8Array {
  return encodeUint(b.num * 16 + (b.more ? 8 : 0) + b.szx)
}

export function withBlock(
  options: readonly CoapOption[],
  n: typeof Option.BLOCK1 | typeof Option.BLOCK2,
  b: BlockValue
): CoapOption[] {
  return withOption(options, n, encodeBlock(b))
}

export function hasOption(options: readonly CoapOption[], n: OptionNumber): boolean {
  return options.some((o) => o.number === n)
}

export function bytesEqual(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

export function toHex(b: Uint8Array): string {
  let s = ''
  for (const x of b) s += x.toString(16).padStart(2, '0')
  return s
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0
  for (const p of parts) n += p.length
  const out = new Uint8Array(n)
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}
