// SPDX-License-Identifier: Apache-2.0
// Slipmux (draft-bormann-t2trg-slipmux-03, facts §9): SLIP framing (RFC 1055) carrying CoAP
// messages, diagnostic text and IP packets on one serial line, told apart by the first byte.
// Pure: bytes in, frames out; a bad frame is counted and dropped, never thrown.

export const END = 0xc0
export const ESC = 0xdb
export const ESC_END = 0xdc
export const ESC_ESC = 0xdd

/** First byte of a frame (draft §3–§5). */
export const DIAGNOSTIC = 0x0a
export const COAP = 0xa9

/** Largest unescaped frame we assemble by default: a 1024-byte block plus CoAP header and options. */
export const DEFAULT_MAX_FRAME = 2048

export type SlipmuxFrame =
  | { readonly kind: 'coap'; readonly message: Uint8Array }
  | { readonly kind: 'diagnostic'; readonly text: string }
  | { readonly kind: 'ip'; readonly packet: Uint8Array }

export interface SlipmuxCounters {
  coap: number
  diagnostic: number
  /** IPv4/IPv6 packets: counted and ignored (this tool has no IP stack on the line). */
  ip: number
  /** Frames whose first byte names no known type (draft §7.3: silently ignored). */
  unknown: number
  /** CoAP frames whose FCS-16 did not check (draft §5: discarded). */
  badFcs: number
  /** Frames ended by ESC END, or by ESC followed by a byte that is no escape (draft §6). */
  aborted: number
  /** Frames longer than the limit: dropped up to the next END. */
  oversized: number
}

export function emptyCounters(): SlipmuxCounters {
  return { coap: 0, diagnostic: 0, ip: 0, unknown: 0, badFcs: 0, aborted: 0, oversized: 0 }
}

// PPP FCS-16 (RFC 1662 App. C.2): reflected polynomial 0x8408, table-driven.
const FCS_TABLE = (() => {
  const t = new Uint16Array(256)
  for (let b = 0; b < 256; b++) {
    let v = b
    for (let i = 0; i < 8; i++) v = v & 1 ? (v >>> 1) ^ 0x8408 : v >>> 1
    t[b] = v
  }
  return t
})()

/** The running FCS register over `bytes` (start with 0xFFFF); not complemented. */
export function fcsUpdate(fcs: number, bytes: Uint8Array, from = 0, to = bytes.length): number {
  let f = fcs
  for (let i = from; i < to; i++) f = (f >>> 8) ^ (FCS_TABLE[(f ^ (bytes[i] as number)) & 0xff] as number)
  return f
}

/** RFC 1662's FCS-16 of `bytes`, as sent (complemented). */
export function fcs16(bytes: Uint8Array): number {
  return fcsUpdate(0xffff, bytes) ^ 0xffff
}

/** Residue of the register over data followed by its FCS (RFC 1662 "good FCS"). */
export const FCS_GOOD = 0xf0b8

/** END ‖ SLIP-escaped frame ‖ END (draft §6: END before and after each frame). */
export function slipEncode(frame: Uint8Array): Uint8Array {
  let extra = 0
  for (const b of frame) if (b === END || b === ESC) extra++
  const out = new Uint8Array(frame.length + extra + 2)
  let j = 0
  out[j++] = END
  for (const b of frame) {
    if (b === END) {
      out[j++] = ESC
      out[j++] = ESC_END
    } else if (b === ESC) {
      out[j++] = ESC
      out[j++] = ESC_ESC
    } else out[j++] = b
  }
  out[j] = END
  return out
}

/**
 * A CoAP message as a slipmux frame on the wire: 0xA9 ‖ message ‖ FCS (LSB first), escaped.
 * Built in one array (one per message on the line): FCS and escape count in one pass, then the copy.
 */
export function encodeCoapFrame(message: Uint8Array): Uint8Array {
  let f = (0xffff >>> 8) ^ (FCS_TABLE[(0xffff ^ COAP) & 0xff] as number)
  let extra = 0
  for (let i = 0; i < message.length; i++) {
    const b = message[i] as number
    f = (f >>> 8) ^ (FCS_TABLE[(f ^ b) & 0xff] as number)
    if (b === END || b === ESC) extra++
  }
  const fcs = f ^ 0xffff
  const lo = fcs & 0xff
  const hi = fcs >>> 8
  if (lo === END || lo === ESC) extra++
  if (hi === END || hi === ESC) extra++
  const out = new Uint8Array(message.length + extra + 5)
  out[0] = END
  out[1] = COAP
  let j = escapeInto(out, 2, message)
  j = escapeByte(out, j, lo)
  j = escapeByte(out, j, hi)
  out[j] = END
  return out
}

function escapeByte(out: Uint8Array, j: number, b: number): number {
  if (b === END) {
    out[j] = ESC
    out[j + 1] = ESC_END
    return j + 2
  }
  if (b === ESC) {
    out[j] = ESC
    out[j + 1] = ESC_ESC
    return j + 2
  }
  out[j] = b
  return j + 1
}

function escapeInto(out: Uint8Array, at: number, bytes: Uint8Array): number {
  let j = at
  for (let i = 0; i < bytes.length; i++) j = escapeByte(out, j, bytes[i] as number)
  return j
}

const utf8 = new TextEncoder()

/** Diagnostic text as a slipmux frame on the wire: 0x0A ‖ UTF-8 text, escaped. */
export function encodeDiagnosticFrame(text: string): Uint8Array {
  const body = utf8.encode(text)
  const frame = new Uint8Array(body.length + 1)
  frame[0] = DIAGNOSTIC
  frame.set(body, 1)
  return slipEncode(frame)
}

/** Turns a byte stream into slipmux frames; keeps state across chunks (a frame may span reads). */
export class SlipmuxDecoder {
  readonly counters: SlipmuxCounters = emptyCounters()
  readonly #buf: Uint8Array
  #len = 0
  #escaped = false
  /** Dropping the rest of a bad frame until the next END. */
  #skipping = false
  readonly #text = new TextDecoder('utf-8')

  constructor(
    private readonly onFrame: (frame: SlipmuxFrame) => void,
    readonly maxFrame: number = DEFAULT_MAX_FRAME
  ) {
    this.#buf = new Uint8Array(maxFrame)
  }

  push(chunk: Uint8Array): void {
    for (const byte of chunk) this.#byte(byte)
  }

  #byte(b: number): void {
    if (b === END) {
      if (this.#escaped) {
        // ESC END: the sender aborted this frame (draft §6).
        if (!this.#skipping) this.counters.aborted++
      } else if (!this.#skipping && this.#len > 0) this.#frame()
      this.#reset()
      return
    }
    if (this.#skipping) return
    let data = b
    if (this.#escaped) {
      this.#escaped = false
      if (b === ESC_END) data = END
      else if (b === ESC_ESC) data = ESC
      else {
        this.counters.aborted++
        this.#skipping = true
        return
      }
    } else if (b === ESC) {
      this.#escaped = true
      return
    }
    if (this.#len >= this.#buf.length) {
      this.counters.oversized++
      this.#skipping = true
      return
    }
    this.#buf[this.#len++] = data
  }

  #reset(): void {
    this.#len = 0
    this.#escaped = false
    this.#skipping = false
  }

  #frame(): void {
    const first = this.#buf[0] as number
    const len = this.#len
    if (first === COAP) {
      // A9 + at least nothing + 2 FCS bytes; the FCS covers A9 and the message.
      if (len < 3 || fcsUpdate(0xffff, this.#buf, 0, len) !== FCS_GOOD) {
        this.counters.badFcs++
        return
      }
      this.counters.coap++
      this.#emit({ kind: 'coap', message: this.#buf.slice(1, len - 2) })
    } else if (first === DIAGNOSTIC) {
      this.counters.diagnostic++
      this.#emit({ kind: 'diagnostic', text: this.#text.decode(this.#buf.subarray(1, len)) })
    } else if ((first >= 0x45 && first <= 0x4f) || (first >= 0x60 && first <= 0x6f)) {
      this.counters.ip++
      this.#emit({ kind: 'ip', packet: this.#buf.slice(0, len) })
    } else {
      this.counters.unknown++
    }
  }

  #emit(frame: SlipmuxFrame): void {
    this.onFrame(frame)
  }
}
