// SPDX-License-Identifier: Apache-2.0
// A CBOR (RFC 8949) writer that always produces preferred serialization (§4.2.1, §4.2.2):
// shortest argument for every head and the shortest float that keeps the value. Output goes into
// one growing buffer, so a payload costs a few reallocations, not one array per item.
import { MAJOR_ARRAY, MAJOR_BYTES, MAJOR_MAP, MAJOR_NEGINT, MAJOR_TAG, MAJOR_TEXT, MAJOR_UINT } from './reader'

const TWO_32 = 4294967296
const utf8 = new TextEncoder()
const f32 = new Float32Array(1)
const u32 = new Uint32Array(f32.buffer)

export class CborWriter {
  private buf: Uint8Array
  private view: DataView
  private pos = 0

  constructor(initialSize = 256) {
    this.buf = new Uint8Array(initialSize)
    this.view = new DataView(this.buf.buffer)
  }

  get length(): number {
    return this.pos
  }

  /** The bytes written so far, as a fresh copy; the writer can keep going or be reset. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos)
  }

  reset(): void {
    this.pos = 0
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < this.pos + n) size *= 2
    const next = new Uint8Array(size)
    next.set(this.buf.subarray(0, this.pos))
    this.buf = next
    this.view = new DataView(next.buffer)
  }

  /** Head with the shortest argument encoding (RFC 8949 §4.2.1). */
  head(major: number, n: number): void {
    this.ensure(9)
    const b = this.buf
    const m = major << 5
    if (n < 24) b[this.pos++] = m | n
    else if (n < 0x100) {
      b[this.pos++] = m | 24
      b[this.pos++] = n
    } else if (n < 0x10000) {
      b[this.pos++] = m | 25
      b[this.pos++] = n >> 8
      b[this.pos++] = n & 0xff
    } else if (n < TWO_32) {
      b[this.pos++] = m | 26
      this.view.setUint32(this.pos, n)
      this.pos += 4
    } else {
      b[this.pos++] = m | 27
      this.view.setUint32(this.pos, Math.floor(n / TWO_32))
      this.view.setUint32(this.pos + 4, n >>> 0)
      this.pos += 8
    }
  }

  private headBig(major: number, n: bigint): void {
    if (n < 0n || n > 0xffffffffffffffffn) throw new RangeError(`${n} does not fit a CBOR argument`)
    if (n <= BigInt(Number.MAX_SAFE_INTEGER)) return this.head(major, Number(n))
    this.ensure(9)
    this.buf[this.pos++] = (major << 5) | 27
    this.view.setBigUint64(this.pos, n)
    this.pos += 8
  }

  /** An integer (major 0 or 1); -2^64..2^64-1. */
  int(n: number | bigint): void {
    if (typeof n === 'bigint') {
      if (n >= 0n) this.headBig(MAJOR_UINT, n)
      else this.headBig(MAJOR_NEGINT, -1n - n)
      return
    }
    if (!Number.isInteger(n)) throw new RangeError(`${n} is not an integer`)
    if (!Number.isSafeInteger(n)) return this.int(BigInt(n))
    if (n >= 0) this.head(MAJOR_UINT, n)
    else this.head(MAJOR_NEGINT, -1 - n)
  }

  /** The shortest of float16/32/64 that holds `n` exactly (RFC 8949 §4.2.2); NaN as f97e00. */
  float(n: number): void {
    this.ensure(9)
    const b = this.buf
    if (Number.isNaN(n)) {
      b[this.pos++] = 0xf9
      b[this.pos++] = 0x7e
      b[this.pos++] = 0x00
      return
    }
    f32[0] = n
    if (f32[0] === n) {
      const bits = u32[0] as number
      const half = toHalf(bits)
      if (half >= 0) {
        b[this.pos++] = 0xf9
        b[this.pos++] = half >> 8
        b[this.pos++] = half & 0xff
      } else {
        b[this.pos++] = 0xfa
        this.view.setUint32(this.pos, bits)
        this.pos += 4
      }
      return
    }
    b[this.pos++] = 0xfb
    this.view.setFloat64(this.pos, n)
    this.pos += 8
  }

  bool(v: boolean): void {
    this.ensure(1)
    this.buf[this.pos++] = v ? 0xf5 : 0xf4
  }

  null(): void {
    this.ensure(1)
    this.buf[this.pos++] = 0xf6
  }

  undefined(): void {
    this.ensure(1)
    this.buf[this.pos++] = 0xf7
  }

  /** Simple value 0..19 or 32..255 (RFC 8949 §3.3). */
  simple(v: number): void {
    if (v < 24) this.head(7, v)
    else {
      this.ensure(2)
      this.buf[this.pos++] = 0xf8
      this.buf[this.pos++] = v
    }
  }

  text(s: string): void {
    const n = s.length
    // ASCII goes straight in; anything else through TextEncoder.
    if (n < 0x10000) {
      this.ensure(n + 3)
      const save = this.pos
      this.head(MAJOR_TEXT, n)
      const b = this.buf
      let p = this.pos
      let i = 0
      for (; i < n; i++) {
        const c = s.charCodeAt(i)
        if (c > 0x7f) break
        b[p++] = c
      }
      if (i === n) {
        this.pos = p
        return
      }
      this.pos = save
    }
    const bytes = utf8.encode(s)
    this.head(MAJOR_TEXT, bytes.length)
    this.raw(bytes)
  }

  bytes(v: Uint8Array): void {
    this.head(MAJOR_BYTES, v.length)
    this.raw(v)
  }

  /** Appends already-encoded bytes. */
  raw(v: Uint8Array): void {
    this.ensure(v.length)
    this.buf.set(v, this.pos)
    this.pos += v.length
  }

  arrayHeader(n: number): void {
    this.head(MAJOR_ARRAY, n)
  }

  mapHeader(n: number): void {
    this.head(MAJOR_MAP, n)
  }

  tag(n: number | bigint): void {
    if (typeof n === 'bigint') this.headBig(MAJOR_TAG, n)
    else this.head(MAJOR_TAG, n)
  }

  /** Indefinite-length container start (0x9F / 0xBF); end it with `break`. Never preferred. */
  indefiniteArray(): void {
    this.ensure(1)
    this.buf[this.pos++] = 0x9f
  }

  indefiniteMap(): void {
    this.ensure(1)
    this.buf[this.pos++] = 0xbf
  }

  break(): void {
    this.ensure(1)
    this.buf[this.pos++] = 0xff
  }
}

/** binary32 bits to binary16 bits when the value survives exactly, else -1. */
function toHalf(bits: number): number {
  const sign = (bits >>> 16) & 0x8000
  const exp = (bits >>> 23) & 0xff
  const mant = bits & 0x7fffff
  if (exp === 0xff) return mant === 0 ? sign | 0x7c00 : -1
  if (exp === 0 && mant === 0) return sign
  if (exp === 0) return -1
  const e = exp - 127
  if (e > 15) return -1
  if (e >= -14) {
    if (mant & 0x1fff) return -1
    return sign | ((e + 15) << 10) | (mant >> 13)
  }
  if (e < -24) return -1
  // Subnormal half: the implicit bit joins the mantissa, shifted right by the exponent gap.
  const full = mant | 0x800000
  const shift = 13 + (-14 - e)
  if (full & ((1 << shift) - 1)) return -1
  return sign | (full >> shift)
}
