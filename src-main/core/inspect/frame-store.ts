// SPDX-License-Identifier: Apache-2.0
// The capture: every frame's bytes and facts, kept compactly so that a million frames fit in a
// few hundred megabytes. Bytes go into large chunk buffers, facts into typed-array columns, and
// strings (addresses, endpoints, paths) are interned; nothing per frame is an object. Field trees
// are built only when a frame is opened. The store is bounded: past its byte budget whole chunks
// of the oldest frames are dropped.
//
// Decrypting a DTLS session needs its handshake (randoms, suite), so a DTLS session's handshake
// frames are pinned: when their chunk is dropped they move to a small pinned area and stay while
// the session still has frames in the store. Pinned frames count against the budget and may take
// at most PINNED_SHARE of it; past that, the sessions with the oldest handshakes lose theirs first.
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
  /** The DTLS session the frame belongs to (any stable name), for pinning and exports. */
  readonly session?: string
  /** A handshake frame of `session`: kept past the ring buffer while the session has frames. */
  readonly pin?: boolean
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
/** Column bytes per frame (the typed arrays of a chunk), for the budget. */
const COLUMN_BYTES = 72
/** Most of the budget pinned handshake frames may take. */
export const PINNED_SHARE = 1 / 8
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
  readonly at: Float64Array
  readonly offset: Uint32Array
  readonly length: Uint32Array
  readonly plainLength: Uint32Array
  /** bit 0-1 direction, 2 retransmission, 3 notification, 4 bootstrap, 5-6 protocol, 7 mirror */
  readonly flags: Uint8Array
  readonly op: Uint8Array
  readonly code: Int16Array
  readonly cf: Int32Array
  readonly transport: Uint8Array
  readonly src: Uint32Array
  readonly dst: Uint32Array
  readonly ep: Uint32Array
  readonly path: Uint32Array
  readonly pair: Float64Array
  readonly rtt: Float32Array
  /** DTLS extras (epoch, seq, cid, identity) as an interned JSON string, 0 when none. */
  readonly extra: Uint32Array
  /** DTLS session (interned in the store's session table), 0 when none. */
  readonly session: Uint32Array
  /** 1 for a pinned handshake frame of its session. */
  readonly pin: Uint8Array
  /**
   * Frame ids when they are not firstId + index: the pinned area holds handshake frames of
   * dropped chunks, with gaps between them.
   */
  readonly ids: Float64Array | null
  constructor(
    readonly firstId: number,
    readonly bytes: Uint8Array,
    readonly capacity = FRAMES_PER_CHUNK,
    sparse = false
  ) {
    const n = capacity
    this.at = new Float64Array(n)
    this.offset = new Uint32Array(n)
    this.length = new Uint32Array(n)
    this.plainLength = new Uint32Array(n)
    this.flags = new Uint8Array(n)
    this.op = new Uint8Array(n)
    this.code = new Int16Array(n)
    this.cf = new Int32Array(n)
    this.transport = new Uint8Array(n)
    this.src = new Uint32Array(n)
    this.dst = new Uint32Array(n)
    this.ep = new Uint32Array(n)
    this.path = new Uint32Array(n)
    this.pair = new Float64Array(n)
    this.rtt = new Float32Array(n)
    this.extra = new Uint32Array(n)
    this.session = new Uint32Array(n)
    this.pin = new Uint8Array(n)
    this.ids = sparse ? new Float64Array(n) : null
  }
  get byteSize(): number {
    return this.bytes.byteLength + this.capacity * COLUMN_BYTES
  }
  idAt(i: number): number {
    return this.ids ? (this.ids[i] as number) : this.firstId + i
  }
  /** Copies frame `i` of `from` (columns and bytes) to the end of this chunk, which has room. */
  copyFrom(from: Chunk, i: number, id: number): void {
    const k = this.count++
    const o = from.offset[i] as number
    const n = (from.length[i] as number) + (from.plainLength[i] as number)
    this.bytes.set(from.bytes.subarray(o, o + n), this.used)
    this.offset[k] = this.used
    this.used += n
    for (const col of COPIED_COLUMNS) (this[col] as Uint32Array)[k] = (from[col] as Uint32Array)[i] as number
    if (this.ids) this.ids[k] = id
  }
}

const COPIED_COLUMNS = ['at', 'length', 'plainLength', 'flags', 'op', 'code', 'cf', 'transport', 'src', 'dst', 'ep', 'path', 'pair', 'rtt', 'extra', 'session', 'pin'] as const

export interface FrameStoreOptions {
  /** Budget for bytes and columns together; the oldest chunks go past it. */
  readonly maxBytes: number
  readonly chunkBytes?: number
}

export class FrameStore {
  readonly strings = new StringTable()
  readonly #transports = new StringTable()
  #sessions = new StringTable()
  /** Last frame id of each DTLS session (by its interned id): a pinned frame stays while it is in the store. */
  #sessionLast = new Map<number, number>()
  #chunks: Chunk[] = []
  /** Handshake frames of dropped chunks, kept for their sessions (ids below the first chunk's). */
  #pinned: Chunk | null = null
  #nextId = 1
  #bytes = 0
  #maxBytes: number
  readonly #chunkBytes: number
  /** Frames dropped to stay within the budget since the last clear. */
  dropped = 0
  /** Changes whenever frames leave the store (a drop or a clear): cached id lists must be rebuilt. */
  generation = 0

  constructor(opts: FrameStoreOptions) {
    this.#maxBytes = opts.maxBytes
    this.#chunkBytes = opts.chunkBytes ?? DEFAULT_CHUNK_BYTES
  }

  get firstId(): number {
    const p = this.#pinned
    return p !== null && p.count > 0 ? p.idAt(0) : this.#chunkFirst
  }
  /** The first id of the ring buffer proper (pinned frames lie below it). */
  get #chunkFirst(): number {
    return this.#chunks[0]?.firstId ?? this.#nextId
  }
  get nextId(): number {
    return this.#nextId
  }
  get count(): number {
    let n = this.#pinned?.count ?? 0
    for (const c of this.#chunks) n += c.count
    return n
  }
  /** Handshake frames kept past the ring buffer for their DTLS sessions. */
  get pinnedCount(): number {
    return this.#pinned?.count ?? 0
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
    // Before a chunk may be dropped below: this frame keeps its session's pinned frames alive.
    const session = r.session === undefined ? 0 : this.#sessions.id(r.session)
    if (session !== 0) this.#sessionLast.set(session, this.#nextId)
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
    c.session[i] = session
    c.pin[i] = session !== 0 && r.pin === true ? 1 : 0
    return this.#nextId++
  }

  /** The DTLS session of frame `id` (an opaque number, 0 for none) and whether it is a pinned handshake frame. */
  sessionOf(id: number): { session: number; pin: boolean } | null {
    const at = this.#locate(id)
    if (at === null) return null
    return { session: at.chunk.session[at.index] as number, pin: at.chunk.pin[at.index] === 1 }
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
    this.#pinned = null
    this.#sessions = new StringTable()
    this.#sessionLast = new Map()
    this.#bytes = 0
    this.dropped = 0
    this.generation++
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
    // Pinned frames come before every chunk: first going up, last going down.
    if (step === 1 && !this.#scanPinned(fromId, 1, visit)) return
    if (!this.#scanChunks(fromId, step, visit)) return
    if (step === -1) this.#scanPinned(fromId, -1, visit)
  }

  /** False when `visit` asked to stop. */
  #scanPinned(fromId: number, step: 1 | -1, visit: (id: number, cols: FrameColumns, index: number) => boolean): boolean {
    const p = this.#pinned
    if (p === null || p.count === 0) return true
    const ids = p.ids as Float64Array
    if (step === 1) {
      for (let i = lowerBound(ids, p.count, fromId); i < p.count; i++) if (!visit(ids[i] as number, p, i)) return false
    } else {
      for (let i = lowerBound(ids, p.count, fromId + 1) - 1; i >= 0; i--) if (!visit(ids[i] as number, p, i)) return false
    }
    return true
  }

  #scanChunks(fromId: number, step: 1 | -1, visit: (id: number, cols: FrameColumns, index: number) => boolean): boolean {
    let ci = this.#chunkIndex(fromId)
    if (ci < 0) {
      if (step === 1 && fromId < this.#chunkFirst) ci = 0
      else if (step === -1 && fromId >= this.#nextId) ci = this.#chunks.length - 1
      else return true
      fromId = step === 1 ? this.#chunkFirst : this.#nextId - 1
    }
    for (; ci >= 0 && ci < this.#chunks.length; ci += step) {
      const c = this.#chunks[ci] as Chunk
      let i = fromId - c.firstId
      if (i < 0) i = step === 1 ? 0 : -1
      if (i >= c.count) i = step === 1 ? c.count : c.count - 1
      for (; i >= 0 && i < c.count; i += step) if (!visit(c.firstId + i, c, i)) return false
      fromId = step === 1 ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY
    }
    return true
  }

  transportId(name: string): number {
    return this.#transports.find(name)
  }

  #trim(): void {
    while (this.#bytes > this.#maxBytes && this.#chunks.length > 1) {
      const old = this.#chunks.shift() as Chunk
      this.#bytes -= old.byteSize
      const before = this.pinnedCount
      this.#repin(old)
      this.dropped += old.count + before - this.pinnedCount
      this.generation++
    }
  }

  /**
   * Rebuilds the pinned area after `dropped` left the ring: the pinned frames of `dropped` and of
   * the area whose session still has a frame in the ring stay, within PINNED_SHARE of the budget
   * (the sessions with the oldest handshakes lose theirs first).
   */
  #repin(dropped: Chunk): void {
    const first = this.#chunkFirst
    const alive = (session: number): boolean => (this.#sessionLast.get(session) ?? 0) >= first
    const keep: { from: Chunk; i: number; id: number; size: number; session: number }[] = []
    const take = (c: Chunk | null): void => {
      if (c === null) return
      for (let i = 0; i < c.count; i++) {
        const session = c.session[i] as number
        if (c.pin[i] === 1 && alive(session)) keep.push({ from: c, i, id: c.idAt(i), size: (c.length[i] as number) + (c.plainLength[i] as number), session })
      }
    }
    take(this.#pinned)
    take(dropped)
    let total = 0
    for (const k of keep) total += k.size + COLUMN_BYTES
    const cap = this.#maxBytes * PINNED_SHARE
    if (total > cap) {
      // Whole sessions go, oldest handshake first (keep is in id order).
      const gone = new Set<number>()
      for (const k of keep) {
        if (total <= cap) break
        if (gone.has(k.session)) continue
        gone.add(k.session)
        for (const x of keep) if (x.session === k.session) total -= x.size + COLUMN_BYTES
      }
      for (let j = keep.length - 1; j >= 0; j--) if (gone.has((keep[j] as (typeof keep)[number]).session)) keep.splice(j, 1)
    }
    if (this.#pinned) this.#bytes -= this.#pinned.byteSize
    if (keep.length === 0) this.#pinned = null
    else {
      let bytes = 0
      for (const k of keep) bytes += k.size
      const p = new Chunk(keep[0]?.id ?? 0, new Uint8Array(bytes), keep.length, true)
      for (const k of keep) p.copyFrom(k.from, k.i, k.id)
      this.#pinned = p
      this.#bytes += p.byteSize
    }
    // Sessions with nothing left in the store are forgotten.
    for (const [session, last] of this.#sessionLast) if (last < first) this.#sessionLast.delete(session)
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
    const p = this.#pinned
    if (p !== null && id < this.#chunkFirst) {
      const i = lowerBound(p.ids as Float64Array, p.count, id)
      return i < p.count && p.idAt(i) === id ? { chunk: p, index: i } : null
    }
    const ci = this.#chunkIndex(id)
    if (ci < 0) return null
    const chunk = this.#chunks[ci] as Chunk
    return { chunk, index: id - chunk.firstId }
  }
}

/** The first index in the sorted `ids[0..count)` whose id is at least `id`. */
function lowerBound(ids: Float64Array, count: number, id: number): number {
  let lo = 0
  let hi = count
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if ((ids[mid] as number) < id) lo = mid + 1
    else hi = mid
  }
  return lo
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
