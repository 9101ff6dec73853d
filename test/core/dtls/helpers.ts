// SPDX-License-Identifier: Apache-2.0
// Shared bits of the DTLS tests: hex literals (vectors are written as the RFCs print them) and
// the real Crypto port, which is what core/dtls runs on in the app.
import { nodeCrypto } from '../../../src-main/transports/node-crypto'

export { toHex } from '../../../src-main/core/bytes'
export const crypto = nodeCrypto

/** Hex to bytes; spaces and line breaks are ignored so vectors can be pasted in groups. */
export function hex(s: string): Uint8Array {
  const t = s.replace(/\s+/g, '')
  if (t.length % 2 !== 0 || /[^0-9a-fA-F]/.test(t)) throw new Error(`bad hex literal ${s}`)
  const out = new Uint8Array(t.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(t.slice(2 * i, 2 * i + 2), 16)
  return out
}

/** Bytes a, a+1, …, b (the RFC 3610 vectors are built from such runs). */
export function run(a: number, b: number): Uint8Array {
  return Uint8Array.from({ length: b - a + 1 }, (_, i) => (a + i) & 0xff)
}

export function ascii(s: string): Uint8Array {
  return new TextEncoder().encode(s)
}
