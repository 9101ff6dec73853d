// SPDX-License-Identifier: Apache-2.0
// UTF-8 (C App. C Tbl C-1: String is UTF-8) for encoders that size their output before writing
// it, and a decoder that says "not UTF-8" instead of inventing U+FFFD characters.

/** Byte length of `s` in UTF-8, or -1 when it holds a lone surrogate (which UTF-8 cannot carry). */
export function utf8Length(s: string): number {
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) n += 1
    else if (c < 0x800) n += 2
    else if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1)
      if (!(d >= 0xdc00 && d <= 0xdfff)) return -1
      n += 4
      i++
    } else if (c >= 0xdc00 && c <= 0xdfff) return -1
    else n += 3
  }
  return n
}

/** Writes `s` (already checked by utf8Length) at `at`; returns the offset after it. */
export function writeUtf8(s: string, out: Uint8Array, at: number): number {
  let p = at
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i)
    if (c < 0x80) {
      out[p++] = c
    } else if (c < 0x800) {
      out[p++] = 0xc0 | (c >> 6)
      out[p++] = 0x80 | (c & 0x3f)
    } else if (c >= 0xd800 && c <= 0xdbff) {
      c = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00)
      out[p++] = 0xf0 | (c >> 18)
      out[p++] = 0x80 | ((c >> 12) & 0x3f)
      out[p++] = 0x80 | ((c >> 6) & 0x3f)
      out[p++] = 0x80 | (c & 0x3f)
    } else {
      out[p++] = 0xe0 | (c >> 12)
      out[p++] = 0x80 | ((c >> 6) & 0x3f)
      out[p++] = 0x80 | (c & 0x3f)
    }
  }
  return p
}

/** Encodes a string known to be well-formed (see utf8Length). */
export function encodeUtf8(s: string): Uint8Array {
  const n = utf8Length(s)
  if (n < 0) return new TextEncoder().encode(s)
  const out = new Uint8Array(n)
  writeUtf8(s, out, 0)
  return out
}

// ignoreBOM keeps a leading U+FEFF as data: it is part of the value, not a byte-order mark.
const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** Decodes bytes[start, end), or returns null when they are not valid UTF-8. */
export function readUtf8(bytes: Uint8Array, start: number, end: number): string | null {
  // Short ASCII values (names, numbers, enums) are the common case: skip the decoder call.
  if (end - start <= 24) {
    let s = ''
    let i = start
    for (; i < end; i++) {
      const b = bytes[i] as number
      if (b >= 0x80) break
      s += String.fromCharCode(b)
    }
    if (i === end) return s
  }
  try {
    return strict.decode(bytes.subarray(start, end))
  } catch {
    return null
  }
}
