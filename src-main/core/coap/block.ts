// SPDX-License-Identifier: Apache-2.0
// Block1/Block2 option values (RFC 7959 §2.2): NUM, M and SZX packed into a 0-3 byte uint.
// Only the value lives here; the transfer state machines belong to the exchange layer.
import type { CoapOption, Option } from './message'
import { decodeUint, encodeUint, getOption, withOption, type HasOptions } from './options'

export interface BlockValue {
  /** Block number: which block this is, or which is wanted / acknowledged (§2.3). */
  readonly num: number
  /** M: more blocks follow (descriptive use) or, in a 2.31 Block1, "no final code yet". */
  readonly more: boolean
  /** 0-6; block size = 2^(SZX + 4). */
  readonly szx: number
  /** Block size in bytes, 16-1024. */
  readonly size: number
}

/** NUM is at most 20 bits: the value is at most 3 bytes (RFC 7959 §2.2). */
export const MAX_BLOCK_NUM = 0xfffff

/** 2^(SZX + 4) bytes (§2.2). */
export function blockSize(szx: number): number {
  return 1 << (szx + 4)
}

/**
 * Reads a Block1/Block2 value. Null when it is longer than 3 bytes (§2.2) or has SZX 7, which
 * is reserved over UDP (BERT exists only on reliable transports, RFC 8323 §6); a request carrying
 * either is answered 4.00 (§2.2). Leading zero bytes are accepted like any uint (RFC 7252 §3.2).
 */
export function parseBlock(value: Uint8Array): BlockValue | null {
  const b = readBlock(value)
  return b === null || b.szx === 7 ? null : b
}

/** parseBlock without the SZX 7 refusal (size 2048): for callers that answer it differently. */
function readBlock(value: Uint8Array): BlockValue | null {
  if (value.length > 3) return null
  const v = decodeUint(value) as number
  const szx = v & 7
  return { num: v >> 4, more: (v & 8) !== 0, szx, size: blockSize(szx) }
}

/**
 * The Block1/Block2 option `n` of `m`; null when absent or longer than 3 bytes. SZX 7 is returned
 * as it is, because the endpoint tells it apart: a request with it is 4.00, not 4.02 (§2.2).
 */
export function blockOption(m: HasOptions, n: typeof Option.BLOCK1 | typeof Option.BLOCK2): BlockValue | null {
  const o = getOption(m, n)
  return o === null ? null : readBlock(o.value)
}

/** Encodes a Block1/Block2 value in the fewest bytes (NUM 0, M 0, SZX 0 is the empty value). */
export function encodeBlock(b: { num: number; more: boolean; szx: number }): Uint8Array {
  if (!Number.isInteger(b.num) || b.num < 0 || b.num > MAX_BLOCK_NUM) {
    throw new RangeError(`Block NUM must be an integer 0-${MAX_BLOCK_NUM}, got ${b.num}`)
  }
  if (!Number.isInteger(b.szx) || b.szx < 0 || b.szx > 6) {
    throw new RangeError(`Block SZX must be 0-6 over UDP (7 is reserved), got ${b.szx}`)
  }
  return encodeUint(b.num * 16 + (b.more ? 8 : 0) + b.szx)
}

/**
 * The SZX of the largest block size that fits in `size` bytes, capped at 1024 (SZX 6): exact
 * for 16, 32, ..., 1024, and rounded down otherwise (a peer may always use a smaller block,
 * RFC 7959 §2.4). Throws for sizes below 16.
 */
export function szxForSize(size: number): number {
  if (!(size >= 16)) throw new RangeError(`Block size must be at least 16 bytes, got ${size}`)
  let szx = 0
  while (szx < 6 && blockSize(szx + 1) <= size) szx++
  return szx
}

/** Replaces the Block1/Block2 option `n` (encodeBlock's checks apply). */
export function withBlock(
  options: readonly CoapOption[],
  n: typeof Option.BLOCK1 | typeof Option.BLOCK2,
  b: { num: number; more: boolean; szx: number }
): CoapOption[] {
  return withOption(options, n, encodeBlock(b))
}
