// SPDX-License-Identifier: Apache-2.0
// Independent option readers for assertions (RFC 7252 §3.2 uint, RFC 7959 §2.2 Block), so the
// tests do not trust the helpers they test.

import type { CoapMessage, CoapOption } from '../../../../src-main/core/coap/message'

export function uint(m: { options: readonly CoapOption[] }, n: number): number | undefined {
  const o = m.options.find((x) => x.number === n)
  return o === undefined ? undefined : o.value.reduce((a, b) => a * 256 + b, 0)
}

export function block(m: { options: readonly CoapOption[] }, n: number): { num: number; more: boolean; size: number } | undefined {
  const v = uint(m, n)
  return v === undefined ? undefined : { num: Math.floor(v / 16), more: (v & 8) !== 0, size: 16 << (v & 7) }
}

export function blockValue(num: number, more: boolean, szx: number): Uint8Array {
  const v = num * 16 + (more ? 8 : 0) + szx
  const out: number[] = []
  for (let x = v; x > 0; x = Math.floor(x / 256)) out.unshift(x % 256)
  return Uint8Array.from(out)
}

export function opt(number: number, value: Uint8Array | number[]): CoapOption {
  return { number, value: Uint8Array.from(value) }
}

export function has(m: CoapMessage, n: number): boolean {
  return m.options.some((o) => o.number === n)
}
