// SPDX-License-Identifier: Apache-2.0
// A cursor over one handshake message body for the total decoders (handshake-messages.ts,
// extensions.ts): fixed-width integers and the TLS length-prefixed vectors (RFC 5246 §4.3). A read
// that would run past the end records one violation and returns undefined; the caller stops there.
// Offsets in violations are `base` + position, so they point into whatever the caller shows.
// After a failed read the reader is spent: later reads return undefined without further violations,
// so one cut-short field gives one violation.
import type { ViolationList } from '../violation'

export class WireReader {
  pos = 0
  /** Set by the first read that ran out of bytes. */
  failed = false

  constructor(
    readonly bytes: Uint8Array,
    readonly v: ViolationList,
    /** Added to every offset reported (where `bytes` starts in the caller's frame). */
    readonly base: number,
    /** What is being read, for messages: "ClientHello". */
    readonly what: string,
    readonly section: string
  ) {}

  get remaining(): number {
    return this.bytes.length - this.pos
  }

  /** Absolute offset of the cursor, for violations raised by callers. */
  get at(): number {
    return this.base + this.pos
  }

  private short(field: string, need: number): undefined {
    if (this.failed) return undefined
    this.failed = true
    this.v.add(this.at, 'dtls.handshake-body-truncated', this.section,
      `${this.what}: ${field} needs ${need} bytes; only ${this.remaining} remain in the message.`)
    this.pos = this.bytes.length
    return undefined
  }

  uint(field: string, width: 1 | 2 | 3): number | undefined {
    if (this.remaining < width) return this.short(field, width)
    let n = 0
    for (let i = 0; i < width; i++) n = n * 256 + (this.bytes[this.pos + i] as number)
    this.pos += width
    return n
  }

  fixed(field: string, length: number): Uint8Array | undefined {
    if (this.remaining < length) return this.short(field, length)
    const out = this.bytes.subarray(this.pos, this.pos + length)
    this.pos += length
    return out
  }

  /** A vector with a `width`-byte length prefix: `opaque field<0..2^(8·width)-1>`. */
  vector(field: string, width: 1 | 2 | 3): Uint8Array | undefined {
    const lengthAt = this.pos
    const n = this.uint(`${field} length`, width)
    if (n === undefined) return undefined
    if (this.remaining < n) {
      this.failed = true
      this.v.add(this.base + lengthAt, 'dtls.handshake-vector-overrun', this.section,
        `${this.what}: ${field} claims ${n} bytes; only ${this.remaining} remain in the message.`)
      this.pos = this.bytes.length
      return undefined
    }
    return this.fixed(field, n)
  }

  /** Reports bytes left over after the last field (they are ignored). */
  end(): void {
    if (this.remaining > 0) {
      this.v.add(this.at, 'dtls.handshake-trailing-bytes', this.section,
        `${this.what}: ${this.remaining} bytes follow the last field; they are ignored.`)
      this.pos = this.bytes.length
    }
  }
}

/** Big-endian 8/16-bit lists such as cipher_suites or supported_groups, from a vector's bytes. */
export function readUintList(b: Uint8Array, width: 1 | 2): number[] {
  const out: number[] = []
  for (let i = 0; i + width <= b.length; i += width) out.push(width === 1 ? (b[i] as number) : ((b[i] as number) << 8) | (b[i + 1] as number))
  return out
}

/** Writes fields into one growing byte array; the encoders throw RangeError on what does not fit. */
export class WireWriter {
  private parts: number[] = []

  uint(value: number, width: 1 | 2 | 3, field: string): this {
    if (!Number.isInteger(value) || value < 0 || value >= 2 ** (8 * width)) throw new RangeError(`${field} ${value} does not fit in ${width} byte(s)`)
    for (let i = width - 1; i >= 0; i--) this.parts.push(Math.floor(value / 2 ** (8 * i)) & 0xff)
    return this
  }

  bytes(b: Uint8Array): this {
    for (const x of b) this.parts.push(x)
    return this
  }

  vector(b: Uint8Array, width: 1 | 2 | 3, field: string, min = 0, max = 2 ** (8 * width) - 1): this {
    if (b.length < min || b.length > max) throw new RangeError(`${field} of ${b.length} bytes (allowed ${min}..${max})`)
    return this.uint(b.length, width, `${field} length`).bytes(b)
  }

  uintList(values: readonly number[], itemWidth: 1 | 2, lengthWidth: 1 | 2, field: string, minItems = 0): this {
    const w = new WireWriter()
    for (const x of values) w.uint(x, itemWidth, field)
    return this.vector(w.finish(), lengthWidth, field, minItems * itemWidth)
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.parts)
  }
}
