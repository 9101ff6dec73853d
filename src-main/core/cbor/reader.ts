// SPDX-License-Identifier: Apache-2.0
// A strict pull reader for CBOR (RFC 8949). It walks the bytes in place with a cursor, so format
// decoders (SenML CBOR, LwM2M CBOR, CBOR 60) can turn items straight into typed records without a
// generic tree. Every problem becomes a Violation with the byte offset of the offending item.
// Problems that leave the rest unreadable (truncation, reserved additional info, a misplaced break,
// the depth limit) are recorded and then thrown as CborError, which format decoders catch at their
// boundary; recoverable ones (non-preferred lengths, invalid UTF-8, trailing bytes) are only recorded.
import { ViolationList } from '../violation'

export const MAJOR_UINT = 0
export const MAJOR_NEGINT = 1
export const MAJOR_BYTES = 2
export const MAJOR_TEXT = 3
export const MAJOR_ARRAY = 4
export const MAJOR_MAP = 5
export const MAJOR_TAG = 6
export const MAJOR_SIMPLE = 7

/** Rules this reader reports that do not make the item unusable (shown as warnings). */
export const CBOR_WARNING_RULES: ReadonlySet<string> = new Set(['cbor.non-preferred'])

/** Thrown after a fatal violation was recorded; format decoders catch it and stop. */
export class CborError extends Error {
  constructor(
    readonly offset: number,
    readonly rule: string
  ) {
    super(`${rule} at byte ${offset}`)
    this.name = 'CborError'
  }
}

/** A tag the generic reader does not interpret: RFC 8949 §3.4. */
export class CborTagged {
  constructor(
    readonly tag: number | bigint,
    readonly value: unknown
  ) {}
}

/** A simple value without a JavaScript meaning (RFC 8949 §3.3): 0..19, 32..255. */
export class CborSimple {
  constructor(readonly value: number) {}
}

export interface CborReaderOptions {
  /** Containers and tags may nest this deep (default 64); deeper input is refused. */
  readonly maxDepth?: number
}

const TWO_32 = 4294967296
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
const utf8Lenient = new TextDecoder('utf-8', { ignoreBOM: true })

export class CborReader {
  readonly bytes: Uint8Array
  readonly violations: ViolationList
  /** Offset of the next byte to read. */
  pos: number
  /** Offset where the item last started by a read* method begins. */
  start = 0
  /** Current container nesting (maps, arrays, tags). */
  depth = 0
  /** After readNumber: true when the item was a float (major 7), false for an integer. */
  wasFloat = false
  private readonly maxDepth: number
  private view: DataView | null = null

  constructor(bytes: Uint8Array, violations = new ViolationList(), options: CborReaderOptions = {}) {
    this.bytes = bytes
    this.violations = violations
    this.pos = 0
    this.maxDepth = options.maxDepth ?? 64
  }

  get atEnd(): boolean {
    return this.pos >= this.bytes.length
  }

  /** Major type of the next item, or -1 at the end of input. */
  peekMajor(): number {
    return this.pos < this.bytes.length ? (this.bytes[this.pos] as number) >> 5 : -1
  }

  /** The next initial byte, or -1 at the end of input. */
  peekByte(): number {
    return this.pos < this.bytes.length ? (this.bytes[this.pos] as number) : -1
  }

  /** True when the next byte is the break stop code (0xFF) that ends an indefinite item. */
  atBreak(): boolean {
    return this.bytes[this.pos] === 0xff
  }

  /** Consumes a break; call only inside an indefinite-length container. */
  readBreak(): void {
    if (this.bytes[this.pos] !== 0xff) this.fail(
      this.pos,
      'cbor.expected-break',
      'the indefinite-length item does not end with a break (0xFF)'
    )
    this.pos++
  }

  /** Fails with cbor.truncated when no byte is left for the next item. */
  more(): void {
    if (this.pos >= this.bytes.length) this.fail(
      this.pos,
      'cbor.truncated',
      'the input ends where a data item should start'
    )
  }

  /** Records a fatal violation and throws CborError. */
  fail(offset: number, rule: string, message: string, section = 'RFC 8949 §3'): never {
    this.violations.add(offset, rule, section, message)
    throw new CborError(offset, rule)
  }

  /**
   * Reads the head of the next item: returns its argument, or -1 for indefinite length (AI 31),
   * leaving `start` at the item. 64-bit arguments beyond 2^53 come back as a float approximation;
   * readUint/readInt re-read them exactly. Checks truncation, reserved AI and preferred length.
   */
  private head(): number {
    const b = this.bytes
    const p = this.pos
    this.start = p
    if (p >= b.length) this.fail(p, 'cbor.truncated', 'the input ends where a data item should start')
    const ib = b[p] as number
    const ai = ib & 31
    if (ai < 24) {
      this.pos = p + 1
      return ai
    }
    if (ai === 24) {
      if (p + 2 > b.length) this.truncated(p)
      const v = b[p + 1] as number
      this.pos = p + 2
      if (v < 24 && ib >> 5 !== MAJOR_SIMPLE) this.nonPreferred(p)
      return v
    }
    if (ai === 25) {
      if (p + 3 > b.length) this.truncated(p)
      const v = ((b[p + 1] as number) << 8) | (b[p + 2] as number)
      this.pos = p + 3
      if (v < 256 && ib >> 5 !== MAJOR_SIMPLE) this.nonPreferred(p)
      return v
    }
    if (ai === 26) {
      if (p + 5 > b.length) this.truncated(p)
      const v = (((b[p + 1] as number) << 24) >>> 0) + (((b[p + 2] as number) << 16) | ((b[p + 3] as number) << 8) | (b[p + 4] as number))
      this.pos = p + 5
      if (v < 65536 && ib >> 5 !== MAJOR_SIMPLE) this.nonPreferred(p)
      return v
    }
    if (ai === 27) {
      if (p + 9 > b.length) this.truncated(p)
      const dv = this.dataView()
      const hi = dv.getUint32(p + 1)
      const lo = dv.getUint32(p + 5)
      this.pos = p + 9
      if (hi === 0 && ib >> 5 !== MAJOR_SIMPLE) this.nonPreferred(p)
      return hi * TWO_32 + lo
    }
    if (ai === 31) {
      this.pos = p + 1
      return -1
    }
    return this.fail(
      p,
      'cbor.reserved-ai',
      `additional information ${ai} is reserved (not well-formed)`,
      'RFC 8949 §3.1'
    )
  }

  private truncated(p: number): never {
    return this.fail(p, 'cbor.truncated', 'the input ends inside the head of a data item')
  }

  private nonPreferred(p: number): void {
    this.violations.add(
      p,
      'cbor.non-preferred',
      'RFC 8949 §4.2.1',
      'the argument is not in its shortest form (preferred serialization); accepted'
    )
  }

  private dataView(): DataView {
    if (this.view === null) this.view = new DataView(
      this.bytes.buffer,
      this.bytes.byteOffset,
      this.bytes.byteLength
    )
    return this.view
  }

  private expectMajor(major: number, what: string): void {
    const m = this.peekMajor()
    if (m === major) return
    if (m < 0) this.fail(this.pos, 'cbor.truncated', `the input ends where ${what} should start`)
    this.fail(this.pos, 'cbor.unexpected-type', `expected ${what}, found major type ${m}`)
  }

  private big64(): bigint {
    const dv = this.dataView()
    return dv.getBigUint64(this.start + 1)
  }

  private noIndefinite(n: number, what: string): void {
    if (n < 0) this.fail(
      this.start,
      'cbor.indefinite-misuse',
      `${what} cannot have indefinite length (AI 31)`,
      'RFC 8949 §3.2'
    )
  }

  /** Major type 0; number while it is a safe integer, else bigint. */
  readUint(): number | bigint {
    this.expectMajor(MAJOR_UINT, 'an unsigned integer')
    const n = this.head()
    this.noIndefinite(n, 'an unsigned integer')
    return n <= Number.MAX_SAFE_INTEGER ? n : this.big64()
  }

  /** Major type 0 or 1; number while it is a safe integer, else bigint (to -2^64). */
  readInt(): number | bigint {
    // Small labels and keys (-24..23) fit the initial byte: the common case in SenML and LwM2M CBOR.
    const ib = this.bytes[this.pos] as number
    if (ib < 0x18 || (ib >= 0x20 && ib < 0x38)) {
      this.start = this.pos++
      return ib < 0x18 ? ib : 0x1f - ib
    }
    const m = this.peekMajor()
    if (m === MAJOR_UINT) return this.readUint()
    this.expectMajor(MAJOR_NEGINT, 'an integer')
    const n = this.head()
    this.noIndefinite(n, 'a negative integer')
    if (n < Number.MAX_SAFE_INTEGER) return -1 - n
    return -1n - this.big64()
  }

  /**
   * An integer (major 0/1) or a float (major 7, AI 25..27); sets `wasFloat`. This is the shape
   * of SenML "v" and of LwM2M numeric values.
   */
  readNumber(): number | bigint {
    const ib = this.peekByte()
    if (ib >> 5 === MAJOR_SIMPLE && ib >= 0xf9 && ib <= 0xfb) {
      this.wasFloat = true
      return this.readFloat()
    }
    this.wasFloat = false
    if (ib >> 5 > 1 || ib < 0) this.expectMajor(MAJOR_UINT, 'a number')
    return this.readInt()
  }

  /** A float16/32/64 (RFC 8949 §3.3); integers are refused here. */
  readFloat(): number {
    const b = this.bytes
    const p = this.pos
    this.start = p
    const ib = this.peekByte()
    if (ib === 0xf9) {
      if (p + 3 > b.length) this.truncated(p)
      this.pos = p + 3
      return decodeHalf(((b[p + 1] as number) << 8) | (b[p + 2] as number))
    }
    if (ib === 0xfa) {
      if (p + 5 > b.length) this.truncated(p)
      this.pos = p + 5
      return this.dataView().getFloat32(p + 1)
    }
    if (ib === 0xfb) {
      if (p + 9 > b.length) this.truncated(p)
      this.pos = p + 9
      return this.dataView().getFloat64(p + 1)
    }
    if (ib < 0) this.truncated(p)
    return this.fail(p, 'cbor.unexpected-type', 'expected a floating-point number')
  }

  /** true/false (0xF5/0xF4). */
  readBool(): boolean {
    const ib = this.peekByte()
    this.start = this.pos
    if (ib === 0xf5 || ib === 0xf4) {
      this.pos++
      return ib === 0xf5
    }
    if (ib < 0) this.truncated(this.pos)
    return this.fail(this.pos, 'cbor.unexpected-type', 'expected true or false')
  }

  /** null (0xF6). */
  readNull(): null {
    this.start = this.pos
    if (this.peekByte() !== 0xf6) this.fail(this.pos, 'cbor.unexpected-type', 'expected null')
    this.pos++
    return null
  }

  /** A text string, definite or made of definite chunks (RFC 8949 §3.2.3). */
  readText(): string {
    const ib = this.bytes[this.pos] as number
    if (ib >= 0x60 && ib < 0x78) {
      // Short definite text: no head parsing needed.
      const itemStart = this.pos
      this.start = itemStart
      this.pos = itemStart + 1
      const text = this.decodeUtf8(this.pos, ib - 0x60, itemStart)
      this.pos += ib - 0x60
      return text
    }
    this.expectMajor(MAJOR_TEXT, 'a text string')
    const n = this.head()
    const itemStart = this.start
    if (n >= 0) {
      const text = this.decodeUtf8(this.pos, n, itemStart)
      this.pos += n
      this.start = itemStart
      return text
    }
    let text = ''
    this.enter(itemStart)
    while (!this.atBreak()) {
      if (this.peekMajor() !== MAJOR_TEXT) this.fail(
        this.pos,
        'cbor.indefinite-misuse',
        'a chunk of an indefinite text string must be a definite text string',
        'RFC 8949 §3.2.3'
      )
      const len = this.head()
      if (len < 0) this.fail(
        this.start,
        'cbor.indefinite-misuse',
        'indefinite text strings cannot nest',
        'RFC 8949 §3.2.3'
      )
      text += this.decodeUtf8(this.pos, len, this.start)
      this.pos += len
    }
    this.pos++
    this.depth--
    this.start = itemStart
    return text
  }

  /** A byte string (copied), definite or made of definite chunks. */
  readBytes(): Uint8Array {
    this.expectMajor(MAJOR_BYTES, 'a byte string')
    const n = this.head()
    const itemStart = this.start
    if (n >= 0) {
      if (this.pos + n > this.bytes.length) this.fail(
        itemStart,
        'cbor.truncated',
        `the byte string needs ${n} bytes, ${this.bytes.length - this.pos} remain`
      )
      const out = this.bytes.slice(this.pos, this.pos + n)
      this.pos += n
      return out
    }
    const parts: Uint8Array[] = []
    let total = 0
    this.enter(itemStart)
    while (!this.atBreak()) {
      if (this.peekMajor() !== MAJOR_BYTES) this.fail(
        this.pos,
        'cbor.indefinite-misuse',
        'a chunk of an indefinite byte string must be a definite byte string',
        'RFC 8949 §3.2.3'
      )
      const len = this.head()
      if (len < 0) this.fail(
        this.start,
        'cbor.indefinite-misuse',
        'indefinite byte strings cannot nest',
        'RFC 8949 §3.2.3'
      )
      if (this.pos + len > this.bytes.length) this.fail(
        this.start,
        'cbor.truncated',
        `the chunk needs ${len} bytes, ${this.bytes.length - this.pos} remain`
      )
      parts.push(this.bytes.subarray(this.pos, this.pos + len))
      total += len
      this.pos += len
    }
    this.pos++
    this.depth--
    const out = new Uint8Array(total)
    let o = 0
    for (const part of parts) {
      out.set(part, o)
      o += part.length
    }
    this.start = itemStart
    return out
  }

  /** Array head: the element count, or -1 for indefinite length (then loop until atBreak). */
  readArrayStart(): number {
    this.expectMajor(MAJOR_ARRAY, 'an array')
    const n = this.head()
    this.enter(this.start)
    return n
  }

  /** Map head: the pair count, or -1 for indefinite length (then loop until atBreak). */
  readMapStart(): number {
    this.expectMajor(MAJOR_MAP, 'a map')
    const n = this.head()
    this.enter(this.start)
    return n
  }

  /** Leaves a container entered by readArrayStart/readMapStart; consumes the break if indefinite. */
  leave(indefinite: boolean): void {
    if (indefinite) this.readBreak()
    this.depth--
  }

  /** Tag head (RFC 8949 §3.4); the tagged item follows. Counts as one nesting level until leaveTag. */
  readTag(): number | bigint {
    this.expectMajor(MAJOR_TAG, 'a tag')
    const n = this.head()
    this.noIndefinite(n, 'a tag')
    this.enter(this.start)
    return n <= Number.MAX_SAFE_INTEGER ? n : this.big64()
  }

  leaveTag(): void {
    this.depth--
  }

  private enter(offset: number): void {
    if (++this.depth > this.maxDepth) this.fail(
      offset,
      'cbor.depth-limit',
      `items nest deeper than ${this.maxDepth} levels`,
      'RFC 8949 §5.2'
    )
  }

  /** Reports bytes after the last item (RFC 8949 §5.1: one item per CBOR sequence-free payload). */
  finish(): void {
    if (this.pos < this.bytes.length) {
      this.violations.add(
        this.pos,
        'cbor.trailing-bytes',
        'RFC 8949 §5.1',
        `${this.bytes.length - this.pos} bytes follow the data item`
      )
    }
  }

  private decodeUtf8(p: number, n: number, itemStart: number): string {
    const b = this.bytes
    const end = p + n
    if (end > b.length) this.fail(
      itemStart,
      'cbor.truncated',
      `the text string needs ${n} bytes, ${b.length - p} remain`
    )
    // Short ASCII strings (SenML names, labels) are the common case: decode them inline.
    if (n <= 24) {
      let s = ''
      let i = p
      for (; i < end; i++) {
        const c = b[i] as number
        if (c > 0x7f) break
        s += String.fromCharCode(c)
      }
      if (i === end) return s
    }
    const slice = b.subarray(p, end)
    try {
      return utf8.decode(slice)
    } catch {
      this.violations.add(
        itemStart,
        'cbor.invalid-utf8',
        'RFC 8949 §3.1',
        'the text string is not valid UTF-8; shown with replacement characters'
      )
      return utf8Lenient.decode(slice)
    }
  }

  /** Skips one complete item, checking it as strictly as the typed readers do. */
  skip(): void {
    this.readAny()
  }

  /**
   * Reads any item into plain JavaScript: integers as number/bigint, maps as Map (keys in order,
   * a duplicate key is reported and the later value kept), tags 0/1 kept as CborTagged, simple
   * values as boolean/null/undefined/CborSimple.
   */
  readAny(): unknown {
    const ib = this.peekByte()
    if (ib < 0) this.fail(this.pos, 'cbor.truncated', 'the input ends where a data item should start')
    const major = ib >> 5
    switch (major) {
      case MAJOR_UINT:
        return this.readUint()
      case MAJOR_NEGINT:
        return this.readInt()
      case MAJOR_BYTES:
        return this.readBytes()
      case MAJOR_TEXT:
        return this.readText()
      case MAJOR_ARRAY: {
        const n = this.readArrayStart()
        const out: unknown[] = []
        if (n >= 0) for (let i = 0; i < n; i++) out.push(this.readAny())
        else while (!this.atBreak()) out.push(this.readAny())
        this.leave(n < 0)
        return out
      }
      case MAJOR_MAP: {
        const n = this.readMapStart()
        const out = new Map<unknown, unknown>()
        for (let i = 0; n < 0 ? !this.atBreak() : i < n; i++) {
          const keyStart = this.pos
          const key = this.readAny()
          const k = mapKey(key)
          if (out.has(k)) this.violations.add(
            keyStart,
            'cbor.duplicate-key',
            'RFC 8949 §5.6',
            'the map has this key twice'
          )
          out.set(k, this.readAny())
        }
        this.leave(n < 0)
        return out
      }
      case MAJOR_TAG: {
        const tag = this.readTag()
        const value = this.readAny()
        this.leaveTag()
        return new CborTagged(tag, value)
      }
      default:
        return this.readSimple()
    }
  }

  private readSimple(): unknown {
    const ib = this.peekByte()
    if (ib >= 0xf9 && ib <= 0xfb) return this.readFloat()
    if (ib === 0xff) this.fail(
      this.pos,
      'cbor.unexpected-break',
      'a break (0xFF) outside an indefinite-length item',
      'RFC 8949 §3.2.1'
    )
    const v = this.head()
    if ((ib & 31) === 24 && v < 32) this.fail(
      this.start,
      'cbor.invalid-simple',
      `simple value ${v} must use the one-byte form`,
      'RFC 8949 §3.3'
    )
    if (v === 20) return false
    if (v === 21) return true
    if (v === 22) return null
    if (v === 23) return undefined
    return new CborSimple(v)
  }
}

/** Map keys as Map identity: primitive keys stay, composite keys compare by their hex form. */
function mapKey(key: unknown): unknown {
  if (key === null || typeof key !== 'object') return key
  return 'cbor:' + JSON.stringify(
    key,
    (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() + 'n' : v instanceof Map ? [...v] : v)
  )
}

/** IEEE 754 binary16 to number (RFC 8949 Appendix D). */
export function decodeHalf(h: number): number {
  const exp = (h >> 10) & 0x1f
  const mant = h & 0x3ff
  let v: number
  if (exp === 0) v = mant * 2 ** -24
  else if (exp !== 31) v = (mant + 1024) * 2 ** (exp - 25)
  else v = mant === 0 ? Infinity : NaN
  return h & 0x8000 ? -v : v
}
