// SPDX-License-Identifier: Apache-2.0
// ADM keys and PINs as people type them. An ADM key (reference 0x0A) is 8 bytes: 16 hex characters,
// or 8 decimal digits taken as their ASCII bytes, the way card issuers print ADM codes. A PIN is
// 4 to 8 digits, ASCII, padded with FF to 8 bytes (ETSI TS 102 221 §9.5.1).

export type CodeResult = { readonly ok: true; readonly bytes: Uint8Array } | { readonly ok: false; readonly problem: string }

export function parseAdm(text: string): CodeResult {
  const t = text.trim()
  if (/^[0-9]{8}$/.test(t)) return { ok: true, bytes: new TextEncoder().encode(t) }
  if (/^[0-9A-Fa-f]{16}$/.test(t)) return { ok: true, bytes: Uint8Array.from(t.match(/../g)!.map((h) => parseInt(h, 16))) }
  return { ok: false, problem: `an ADM key is 16 hex characters or 8 decimal digits (got ${t.length} character${t.length === 1 ? '' : 's'})` }
}

export function parsePin(text: string): CodeResult {
  const t = text.trim()
  if (!/^[0-9]{4,8}$/.test(t)) return { ok: false, problem: 'a PIN is 4 to 8 decimal digits' }
  const out = new Uint8Array(8).fill(0xff)
  out.set(new TextEncoder().encode(t))
  return { ok: true, bytes: out }
}
