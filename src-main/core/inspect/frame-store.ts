// SPDX-License-Identifier: Apache-2.0
// The capture: every frame's bytes and facts, kept compactly so that a million frames fit in a
// few hundred megabytes. Bytes go into large chunk buffers, facts into typed-array columns, and
// strings (addresses, endpoints, paths) are interned; nothing per frame is an object. Field trees
// are built only when a frame is opened. The store is bounded: past its byte budget whole chunks
// of the oldest frames are dropped.
import type { FrameFacts } from './analyzer'

export interface FrameRecord {
  readonly at: number
  readonly direction: 'in' | 'out' | 'none'
  readonly transport: string
  /** Sender and receiver as "udp:host:port" style keys. */
  readonly src: string
  readonly dst: string
  readonly bytes: Uint8Array
  readonly plaintext?: Uint8Array
  /** DTLS record metadata and session, when the transport reported them. */
  readonly epoch?: number
  readonly seq?: number
  readonly cid?: string
  readonly identity?: string
  /**
   * The receiving copy of a datagram this process also sent (simulator to server on loopback): a
   * live capture sees it at both sockets; exports keep one copy, as a wire capture would.
   */
  readonly mirror?: boolean
  /** What went wrong below CoAP (a cut-short or corrupt packet in a file), shown instead of a decode. */
  readonly note?: string
  /** Why the DTLS records of an imported datagram stay encrypted (no key, ECDHE with a PSK only, ...). */
  readonly undecrypted?: string
}

/** One frame's row as filters and lists read it. */
export interface FrameRow extends FrameFacts {
  readonly id: number
  readonly at: number
  readonly direction: 'in' | 'out' | 'none'
  readonly transport: string
  readonly src: string
  readonly dst: string
  readonly size: number
  readonly mirror: boolean
}

const FRAMES_PER_CHUNK = 8192
const DEFAULT_CHUNK_BYTES = 1 << 19
const DIRECTIONS = ['none', 'in', 'out'] as const

/** Interned strings: index 0 is "none". */
export class StringTable {
  readonly #ids = new Map<string, number>()
  readonly #strings: (string | null)[] = [null]
  id(s: string | null): number {
    if (s === null) return 0
    let n = this.#ids.get(s)
    if (n === undefined) {
      n = this.#strings.length
      this.#strings.push(s)
      this.#ids.set(s, n)
    }
    return n
  }
  /** The id of `s` when it was interned, else -1 (filters compare ids, never strings). */
  find(s: string): number {
    return this.#ids.get(s) ?? -1
  }
  get(n: number): string | null {
    return this.#strings[n] ?? null
  }
  get size(): number {
    return this.#strings.length
  }
  *entries(): IterableIterator<[string, number]> {
    yield* this.#ids.entries()
  }
}

class Chunk {
  count = 0
  used = 0
  readonly at = new Float64Array(FRAMES_PER_CHUNK)
  readonly offset = new Uint32Array(FRAMES_PER_CHUNK)
  readonly length = new Uint32Array(FRAMES_PER_CHUNK)
  readonly plainLength = new Uint32Array(FRAMES_PER_CHUNK)
  /** bit 0-1 direction, 2 retransmission, 3 notification, 4 bootstrap, 5-6 protocol, 7 mirror */
  readonly flags = new Uint8Array(FRAMES_PER_CHUNK)
  readonly op = new Uint8Array(FRAMES_PER_CHUNK)
  readonly code = new Int16Array(FRAMES_PER_CHUNK)
  readonly cf = new Int32Array(FRAMES_PER_CHUNK)
  readonly transport = new Uint8Array(FRAMES_PER_CHUNK)
  readonly src = new Uint32Array(FRAMES_PER_CHUNK)
  readonly dst = new Uint32Array(FRAMES_PER_CHUNK)
  readonly ep = new Uint32Array(FRAMES_PER_CHUNK)
  readonly path = new Uint32Array(FRAMES_PER_CHUNK)
  readonly pair = new Float64Array(FRAMES_PER_CHUNK)
  readonly rtt = new Float32Array(FRAMES_PER_CHUNK)
  /** DTLS extras (epoch, seq, cid, identity) as an interned JSON string, 0 when none. */
  readonly extra = new Uint32Array(FRAMES_PER_CHUNK)
  constructor(
    readonly firstId: number,
    readonly bytes: Uint8Array
  ) {}
  get byteSize(): number {
    return this.bytes.byteLength + FRAMES_PER_CHUNK * 64
  }
}

export interface FrameStoreOptions {
  /** Budget for bytes and columns together; the oldest chunks go past it. */
  readonly maxBytes: number
  readonly chunkBytes?: number
}

export class FrameStore {
  readonly strings = new StringTable()
  readonly #transports = new StringTable()
  #chunks: Chunk[] = []
  #nextId = 1
  #bytes = 0
  #maxBytes: number
  readonly #chunkBytes: number
  /** Frames dropped to stay within the budget since the last clear. */
  dropped = 0

  constructor(opts: FrameStoreOptions) {
    this.#maxBytes = opts.maxBytes
    this.#chunkBytes = opts.chunkBytes ?? DEFAULT_CHUNK_BYTES
  }

  get firstId(): number {
    return this.#chunks[0]?.firstId ?? this.#nextId
  }
  get nextId(): number {
    return this.#nextId
  }
  get count(): number {
    let n = 0
    for (const c of this.#chunks) n += c.count
    return n
  }
  get byteSize(): number {
    return this.#bytes
  }
  get maxBytes(): number {
    return this.#maxBytes
  }
  set maxBytes(n: number) {
    this.#maxBytes = n
    this.#trim()
  }

  /** The id the next append will get (the analyzer needs it before the facts exist). */
  peekId(): number {
    return this.#nextId
  }

  append(r: FrameRecord, facts: FrameFacts): number {
    const plain = r.plaintext?.length ?? 0
    const need = r.bytes.length + plain
    let c = this.#chunks[this.#chunks.length - 1]
    if (c === undefined || c.count === FRAMES_PER_CHUNK || c.used + need > c.bytes.length) {
      c = new Chunk(this.#nextId, new Uint8Array(Math.max(this.#chunkBytes, need)))
      this.#chunks.push(c)
      this.#bytes += c.byteSize
      this.#trim()
    }
    const i = c.count++
    c.offset[i] = c.used
    c.length[i] = r.bytes.length
    c.plainLength[i] = plain
    c.bytes.set(r.bytes, c.used)
    if (r.plaintext) c.bytes.set(r.plaintext, c.used + r.bytes.length)
    c.used += need
    c.at[i] = r.at
    c.flags[i] = DIRECTIONS.indexOf(r.direction) | (facts.retransmission ? 4 : 0) | (facts.notification ? 8 : 0) | (facts.bootstrap ? 16 : 0) | (facts.protocol << 5) | (r.mirror ? 128 : 0)
    c.op[i] = facts.op
    c.code[i] = facts.code
    c.cf[i] = facts.cf
    c.transport[i] = this.#transports.id(r.transport)
    c.src[i] = this.strings.id(r.src)
    c.dst[i] = this.strings.id(r.dst)
    c.ep[i] = this.strings.id(facts.ep)
    c.path[i] = this.strings.id(facts.path)
    c.pair[i] = facts.pair
    c.rtt[i] = facts.rtt
    const extra = r.epoch !== undefined || r.seq !== undefined || r.cid !== undefined || r.identity !== undefined || r.note !== undefined || r.undecrypted !== undefined
      ? JSON.stringify({ epoch: r.epoch, seq: r.seq, cid: r.cid, identity: r.identity, note: r.note, undecrypted: r.undecrypted })
      : null
    c.extra[i] = this.strings.id(extra)
    return this.#nextId++
  }

  /** Records that `later` answered `earlier` (the analyzer learns it when the answer comes). */
  setPair(earlier: number, later: number): void {
    const at = this.#locate(earlier)
    if (at !== null && at.chunk.pair[at.index] === -1) at.chunk.pair[at.index] = later
  }

  /** Marks frame `id` as the second copy of a datagram both ends of which are in this process. */
  setMirror(id: number): void {
    const at = this.#locate(id)
    if (at !== null) at.chunk.flags[at.index] = (at.chunk.flags[at.index] as number) | 128
  }

  clear(): void {
    this.#chunks = []
    this.#bytes = 0
    this.dropped = 0
  }

  has(id: number): boolean {
    return this.#locate(id) !== null
  }

  row(id: number): FrameRow | null {
    const at = this.#locate(id)
    if (at === null) return null
    const { chunk: c, index: i } = at
    const flags = c.flags[i] as number
    return {
      id,
      at: c.at[i] as number,
      direction: DIRECTIONS[flags & 3] ?? 'none',
      transport: this.#transports.get(c.transport[i] as number) ?? '',
      src: this.strings.get(c.src[i] as number) ?? '',
      dst: this.strings.get(c.dst[i] as number) ?? '',
      size: c.length[i] as number,
      mirror: (flags & 128) !== 0,
      protocol: (flags >> 5) & 3,
      op: c.op[i] as number,
      code: c.code[i] as number,
      cf: c.cf[i] as number,
      ep: this.strings.get(c.ep[i] as number),
      path: this.strings.get(c.path[i] as number),
      pair: c.pair[i] as number,
      rtt: c.rtt[i] as number,
      retransmission: (flags & 4) !== 0,
      notification: (flags & 8) !== 0,
      bootstrap: (flags & 16) !== 0
    }
  }

  /** The frame's bytes (views into the store: copy before keeping them past the next append). */
  bytes(id: number): { wire: Uint8Array; plaintext?: Uint8Array; extra: Record<string, unknown> | null } | null {
    const at = this.#locate(id)
    if (at === null) return null
    const { chunk: c, index: i } = at
    const o = c.offset[i] as number
    const n = c.length[i] as number
    const p = c.plainLength[i] as number
    const extra = this.strings.get(c.extra[i] as number)
    const wire = c.bytes.subarray(o, o + n)
    const out: { wire: Uint8Array; plaintext?: Uint8Array; extra: Record<string, unknown> | null } = { wire, extra: extra === null ? null : JSON.parse(extra) as Record<string, unknown> }
    if (p > 0) out.plaintext = c.bytes.subarray(o + n, o + n + p)
    return out
  }

  /**
   * Walks frames from `fromId` (inclusive) upward (or downward with `step` -1), calling `visit`
   * with the column view until it returns false. The column view avoids building rows.
   */
  scan(fromId: number, step: 1 | -1, visit: (id: number, cols: FrameColumns, index: number) => boolean): void {
    let ci = this.#chunkIndex(fromId)
    if (ci < 0) {
      if (step === 1 && fromId < this.firstId) ci = 0
      else if (step === -1 && fromId >= this.#nextId) ci = this.#chunks.length - 1
      else return
      fromId = step === 1 ? this.firstId : this.#nextId - 1
    }
    for (; ci >= 0 && ci < this.#chunks.length; ci += step) {
      const c = this.#chunks[ci] as Chunk
      let i = fromId - c.firstId
      if (i < 0) i = step === 1 ? 0 : -1
      if (i >= c.count) i = step === 1 ? c.count : c.count - 1
      for (; i >= 0 && i < c.count; i += step) if (!visit(c.firstId + i, c, i)) return
      fromId = step === 1 ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY
    }
  }

  transportId(name: string): number {
    return this.#transports.find(name)
  }

  #trim(): void {
    while (this.#bytes > this.#maxBytes && this.#chunks.length > 1) {
      const old = this.#chunks.shift() as Chunk
      this.#bytes -= old.byteSize
      this.dropped += old.count
    }
  }

  #chunkIndex(id: number): number {
    const cs = this.#chunks
    let lo = 0
    let hi = cs.length - 1
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      const c = cs[mid] as Chunk
      if (id < c.firstId) hi = mid - 1
      else if (id >= c.firstId + c.count) lo = mid + 1
      else return mid
    }
    return -1
  }

  #locate(id: number): { chunk: Chunk; index: number } | null {
    const ci = this.#chunkIndex(id)
    if (ci < 0) return null
    const chunk = this.#chunks[ci] as Chunk
    return { chunk, index: id - chunk.firstId }
  }
}

/** The columns a filter reads for frame `index` of a chunk. */
export interface FrameColumns {
  readonly at: Float64Array
  readonly flags: Uint8Array
  readonly op: Uint8Array
  readonly code: Int16Array
  readonly cf: Int32Array
  readonly transport: Uint8Array
  readonly ep: Uint32Array
  readonly path: Uint32Array
}
