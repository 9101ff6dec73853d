// SPDX-License-Identifier: Apache-2.0
// The live capture (issue 16): takes every frame the process-wide tap hands over, follows the
// exchanges, keeps the frames in a bounded compact store, and announces new frames in batches.
// Frames are opened (field tree, bytes) one at a time; lists are windows over the store.
import type { CaptureFrame } from '../transports/capture-tap'
import { captureSink, setCaptureSink, setKeyLogSink } from '../transports/capture-tap'
import { ExchangeAnalyzer, NO_OP } from '../core/inspect/analyzer'
import { OPERATIONS } from '../core/inspect/operation'
import { FrameStore, type FrameRecord, type FrameRow } from '../core/inspect/frame-store'
import type { ModelLookup } from '../core/lwm2m/model'
import type { CaptureFrameDetail, CaptureFrameDto, CapturePage, CaptureSettingsDto } from '../contract/capture'
import { ServiceError } from '../contract/errors'
import { toHex } from '../core/bytes'
import { decodeMessage } from '../core/coap/codec'
import { dissectFrame, type DissectOptions } from '../core/inspect/dissect'
import type { Field } from '../core/inspect/field'
import { compileFilter, parseFilter, type FramePredicate } from '../core/inspect/filter'
import { requestShape } from '../core/inspect/operation'
import { looksLikeDtls } from '../core/inspect/dtls-dissector'
import { frameDto } from './capture-dto'
import type { EventHub } from './event-hub'

export const DEFAULT_CAPTURE_BYTES = 256 * 1024 * 1024
/** Most rows one capture.frames event carries; the rest is counted (clients page with capture.list). */
const BATCH_ROWS = 500
const BATCH_MS = 50
/** How long one capture.list may spend matching before it answers with what it has (matched: null). */
const LIST_BUDGET_MS = 150

export interface CaptureServiceOptions {
  readonly events: EventHub
  readonly models: () => ModelLookup
  readonly maxBytes?: number
}

/** Null when `text` is a valid filter, else where and why it is not (docs/filters.md). */
export function filterProblem(text: string): { column: number; message: string } | null {
  const p = parseFilter(text)
  return p.ok ? null : p.error
}

interface MatchCache {
  readonly text: string
  /** The store's generation when the ids were collected (frames dropped since make them stale). */
  readonly generation: number
  scannedTo: number
  ids: Float64Array
  count: number
  predicate: FramePredicate | null
}

export class CaptureService {
  store: FrameStore
  #analyzer = new ExchangeAnalyzer()
  #paused = false
  #batch: number[] = []
  #batchMore = 0
  #timer: ReturnType<typeof setTimeout> | null = null
  #faults = 0
  /** Matches of the unfiltered list ('') and of the last filter, extended as frames arrive. */
  #matches = new Map<string, MatchCache>()
  /**
   * TLS key log lines (NSS format) of the sessions in the capture: DTLS adds them as sessions
   * start, imports add those found in the file; pcapng exports carry them in a secrets block.
   */
  readonly keyLog: string[] = []
  #settings: Omit<CaptureSettingsDto, 'paused'> = { maxMegabytes: DEFAULT_CAPTURE_BYTES / 2 ** 20, coapPorts: [5683, 5684, 5783, 5784], cidLength: 0 }

  constructor(private readonly opts: CaptureServiceOptions) {
    this.store = new FrameStore({ maxBytes: opts.maxBytes ?? DEFAULT_CAPTURE_BYTES })
    this.#wire()
  }

  get models(): ModelLookup {
    return this.opts.models()
  }

  get paused(): boolean {
    return this.#paused
  }

  /** Frames the tap handed over that the capture could not take (a bug; counted, never thrown). */
  get faults(): number {
    return this.#faults
  }

  pause(paused: boolean): void {
    this.#paused = paused
    if (paused) {
      if (captureSink() === this.#sink) setCaptureSink(null)
    } else setCaptureSink(this.#sink)
  }

  clear(): void {
    this.#matches.clear()
    this.#dtlsPairs.clear()
    this.keyLog.length = 0
    this.store.clear()
    this.#analyzer = new ExchangeAnalyzer()
    this.#wire()
    this.#batch = []
    this.#batchMore = 0
  }

  /** Adds a frame that did not come through the tap (an import, a test). */
  add(r: FrameRecord): number {
    const id = this.store.peekId()
    const vantage = r.direction === 'in' ? r.dst : r.direction === 'out' ? r.src : ''
    const facts = this.#analyzer.analyze({ id, at: r.at, src: r.src, dst: r.dst, bytes: r.bytes, vantage, ...(r.plaintext ? { plaintext: r.plaintext } : {}) })
    return this.store.append(looksLikeDtls(r.bytes) ? { ...r, ...this.#dtlsSession(r.src, r.dst, r.bytes) } : r, facts)
  }

  /** Per address pair: how many handshakes it has had, and whether the current one protects records yet. */
  #dtlsPairs = new Map<string, { generation: number; protected: boolean }>()

  /**
   * Which DTLS session a datagram belongs to, and whether it is a handshake frame (its first record
   * is change_cipher_spec or handshake) that the store pins: a session is an address pair until a
   * ClientHello follows protected records on it, which starts the next one.
   */
  #dtlsSession(src: string, dst: string, b: Uint8Array): { session: string; pin: boolean } {
    const pair = src < dst ? `${src} ${dst}` : `${dst} ${src}`
    let st = this.#dtlsPairs.get(pair)
    if (st === undefined) {
      if (this.#dtlsPairs.size >= 100_000) this.#dtlsPairs.clear()
      st = { generation: 0, protected: false }
      this.#dtlsPairs.set(pair, st)
    }
    const type = b[0] as number
    const epoch = ((b[3] as number) << 8) | (b[4] as number)
    if (type === 22 && epoch === 0 && b[13] === 1 && st.protected) {
      st.generation++
      st.protected = false
    }
    if (epoch > 0 || type === 25) st.protected = true
    return { session: `${pair}#${st.generation}`, pin: type === 20 || type === 22 }
  }

  /** Recent datagrams sent, by sender, receiver and a few bytes, to spot their receiving copy. */
  #sent = new Map<string, { id: number; at: number; bytes: Uint8Array; simulated: boolean }>()

  /**
   * A datagram between a simulated device and our server is tapped at both sockets. The copy seen
   * at the device's socket is marked as the mirror (lists and exports show the server's), or the
   * receiving copy when neither or both ends are simulated.
   */
  #pairCopies(f: CaptureFrame, id: number, src: string, dst: string): void {
    const b = f.bytes
    // Ports only: a listener bound to 0.0.0.0 names itself so, while its peer names it 127.0.0.1.
    // The bytes are compared in full below, inside a 2 s window.
    const key = `${src.slice(src.lastIndexOf(':'))}|${dst.slice(dst.lastIndexOf(':'))}|${b.length}|${b[0]}.${b[1]}.${b[2]}.${b[3]}.${b[b.length - 1]}`
    const simulated = f.simulated === true
    if (f.direction === 'out') {
      if (this.#sent.size >= 4096) this.#sent.clear()
      this.#sent.set(key, { id, at: f.at, bytes: b.slice(), simulated })
      return
    }
    const seen = this.#sent.get(key)
    if (seen === undefined || f.at - seen.at > 2000) return
    this.#sent.delete(key)
    const s = seen.bytes
    for (let i = 0; i < s.length; i++) if (s[i] !== b[i]) return
    this.store.setMirror(seen.simulated && !simulated ? seen.id : id)
  }

  readonly #sink = (f: CaptureFrame): void => {
    try {
      const local = `${f.transport}:${f.local}`
      const src = f.direction === 'in' ? f.peer.key : local
      const dst = f.direction === 'in' ? local : f.peer.key
      const r: FrameRecord = {
        at: f.at,
        direction: f.direction,
        transport: f.transport,
        src,
        dst,
        bytes: f.bytes,
        ...(f.plaintext ? { plaintext: f.plaintext } : {}),
        ...(f.epoch !== undefined ? { epoch: f.epoch } : {}),
        ...(f.seq !== undefined ? { seq: f.seq } : {}),
        ...(f.cid !== undefined ? { cid: f.cid } : {}),
        ...(f.identity !== undefined ? { identity: f.identity } : {})
      }
      const id = this.add(r)
      this.#pairCopies(f, id, src, dst)
      if (this.#batch.length < BATCH_ROWS) this.#batch.push(id)
      else this.#batchMore++
      this.#timer ??= setTimeout(this.#flush, BATCH_MS)
    } catch {
      // A frame the capture cannot take must never reach the transport that tapped it.
      this.#faults++
    }
  }

  readonly #flush = (): void => {
    this.#timer = null
    const ids = this.#batch
    const more = this.#batchMore
    this.#batch = []
    this.#batchMore = 0
    const rows = ids.map((id) => this.store.row(id)).filter((r): r is FrameRow => r !== null && !r.mirror)
    if (rows.length === 0 && more === 0) return
    this.opts.events.emit('capture.frames', { frames: rows.map((r) => this.dto(r)), more, total: this.store.count, lastId: this.store.nextId - 1 })
  }

  /** Starts taking frames (and DTLS key log lines) from every transport. */
  start(): void {
    if (!this.#paused) setCaptureSink(this.#sink)
    setKeyLogSink(this.#addKeyLog)
  }

  readonly #addKeyLog = (line: string): void => {
    if (!this.keyLog.includes(line)) this.keyLog.push(line)
  }

  close(): void {
    // Another workbench in this process (tests) may have taken the tap since.
    if (captureSink() === this.#sink) setCaptureSink(null)
    setKeyLogSink(null)
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = null
  }

  #wire(): void {
    this.#analyzer.onPair = (earlier, later) => this.store.setPair(earlier, later)
  }

  dto(r: FrameRow): CaptureFrameDto {
    const dto = frameDto(r, this.models)
    if (r.code >= 0 && r.protocol !== 2) return dto
    // Frames that are not CoAP may carry a note from the file reader (cut short, corrupt), or
    // say why their DTLS records stayed encrypted.
    const extra = this.store.bytes(r.id)?.extra
    if (typeof extra?.note === 'string') return { ...dto, summary: extra.note }
    if (typeof extra?.undecrypted === 'string') return { ...dto, summary: `DTLS (encrypted: ${extra.undecrypted})` }
    return dto
  }

  settings(): CaptureSettingsDto {
    return { ...this.#settings, paused: this.#paused }
  }

  setSettings(p: Partial<CaptureSettingsDto>): CaptureSettingsDto {
    if (p.maxMegabytes !== undefined) {
      this.#settings = { ...this.#settings, maxMegabytes: p.maxMegabytes }
      this.store.maxBytes = p.maxMegabytes * 2 ** 20
    }
    if (p.coapPorts !== undefined) this.#settings = { ...this.#settings, coapPorts: [...p.coapPorts] }
    if (p.cidLength !== undefined) this.#settings = { ...this.#settings, cidLength: p.cidLength }
    if (p.paused !== undefined) this.pause(p.paused)
    return this.settings()
  }

  /**
   * A window of the frames the filter matches: `cursor` is the index of the first match wanted
   * (0 = oldest). The matching ids are kept per filter text and extended as frames arrive, so
   * scrolling a million frames asks for windows without filtering again.
   */
  list(p: { filter?: string; cursor?: number; limit?: number }): CapturePage {
    const limit = Math.min(p.limit ?? 100, 1000)
    const cursor = p.cursor ?? 0
    const store = this.store
    const text = (p.filter ?? '').trim()
    const m = this.matches(text, LIST_BUDGET_MS)
    const matched = m.count
    const frames: CaptureFrameDto[] = []
    for (let k = cursor; k < Math.min(m.count, cursor + limit); k++) {
      const r = store.row(m.ids[k] as number)
      // A frame marked as a mirror after it was matched (its twin came later) is left out.
      if (r && !r.mirror) frames.push(this.dto(r))
    }
    const next = cursor + frames.length < matched || !m.complete ? cursor + frames.length : null
    // Every frame, each datagram counted once (as the list shows them).
    const total = text === '' ? matched : this.matches('').count
    return { frames, next, total, matched: m.complete ? matched : null, firstId: store.firstId, lastId: store.nextId - 1 }
  }

  /** The ids the filter matches, oldest first (cached for the last filter text). */
  matches(text: string, budgetMs = Infinity): { ids: Float64Array; count: number; complete: boolean } {
    const parsed = parseFilter(text)
    if (!parsed.ok) {
      throw new ServiceError('capture.invalid_filter', `column ${parsed.error.column}: ${parsed.error.message}`, parsed.error)
    }
    const store = this.store
    let m = this.#matches.get(text)
    if (m === undefined || m.generation !== store.generation || m.scannedTo > store.nextId) {
      m = { text, generation: store.generation, scannedTo: store.firstId, ids: new Float64Array(1024), count: 0, predicate: null }
      if (text !== '') for (const k of this.#matches.keys()) if (k !== '') this.#matches.delete(k)
      this.#matches.set(text, m)
    }
    // Compiled again when new strings (endpoints, paths) may have arrived since. The second copy
    // of a datagram both ends of which are ours is never listed.
    const test = compileFilter(parsed.filter, { strings: store.strings, transportId: (n) => store.transportId(n), now: Date.now(), text: (id) => this.text(id) })
    m.predicate = (id, c, i) => ((c.flags[i] as number) & 128) === 0 && test(id, c, i)
    const predicate: FramePredicate = m.predicate
    const cache = m
    // A text~ filter decodes every frame: within a budget per call, so the main process never
    // stalls; the next call goes on from where this one stopped.
    const deadline = budgetMs === Infinity ? Infinity : Date.now() + budgetMs
    let complete = true
    let steps = 0
    store.scan(cache.scannedTo, 1, (id, cols, i) => {
      if ((++steps & 1023) === 0 && Date.now() > deadline) {
        cache.scannedTo = id
        complete = false
        return false
      }
      if (predicate(id, cols, i)) {
        if (cache.count === cache.ids.length) {
          const grown = new Float64Array(cache.ids.length * 2)
          grown.set(cache.ids)
          cache.ids = grown
        }
        cache.ids[cache.count++] = id
      }
      return true
    })
    if (complete) cache.scannedTo = store.nextId
    return { ids: cache.ids, count: cache.count, complete }
  }

  /** Everything about one frame: its row, the decoded field tree and the bytes. */
  get(id: number): CaptureFrameDetail {
    const r = this.store.row(id)
    const b = this.store.bytes(id)
    if (r === null || b === null) throw new ServiceError('capture.not_found', `frame ${id} is not in the capture (cleared, or dropped past the size limit)`)
    const d = dissectFrame(b.wire, this.dissectOptions(r, b.plaintext, b.extra))
    const out: { -readonly [K in keyof CaptureFrameDetail]: CaptureFrameDetail[K] } = { frame: this.dto(r), fields: d.fields, bytes: toHex(b.wire) }
    if (b.plaintext) out.plaintext = toHex(b.plaintext)
    if (b.extra) {
      const { note, undecrypted, ...dtls } = b.extra as { note?: string; undecrypted?: string; epoch?: number; seq?: number; cid?: string; identity?: string }
      if (Object.values(dtls).some((v) => v !== undefined)) out.dtls = dtls
      if (undecrypted !== undefined) out.fields = [{ label: 'Decryption', value: `not decrypted: ${undecrypted}`, start: 0, end: b.wire.length }, ...out.fields]
      if (note !== undefined) out.fields = [{ label: 'Packet', value: note, start: 0, end: b.wire.length, problem: { rule: 'capture.packet', section: 'pcap/pcapng', message: note } }, ...out.fields]
    }
    return out
  }

  /** What dissecting frame `r` needs from the exchange it belongs to. */
  dissectOptions(r: FrameRow, plaintext?: Uint8Array, extra?: Record<string, unknown> | null): DissectOptions {
    const opts: { -readonly [K in keyof DissectOptions]: DissectOptions[K] } = { models: this.models }
    if (plaintext) opts.plaintext = plaintext
    // The frame's own CID (its session negotiated it) frames its tls12_cid records; the setting
    // covers captures that start after the handshake.
    if (typeof extra?.cid === 'string' && extra.cid.length > 0) opts.cidLength = extra.cid.length >> 1
    else if (this.#settings.cidLength > 0) opts.cidLength = this.#settings.cidLength
    if (r.bootstrap) opts.bootstrap = true
    if (r.notification) opts.notification = true
    const isResponse = r.code >= 32
    if (isResponse) {
      const reqRow = r.pair >= 0 ? this.store.row(r.pair) : null
      const req = reqRow && reqRow.code > 0 && reqRow.code < 32 ? this.store.bytes(reqRow.id) : null
      const m = req ? decodeMessage(req.plaintext ?? req.wire).message : null
      const segments = m ? requestShape(m).segments : (r.path ?? '').split('/').filter((x) => x !== '')
      opts.request = { op: r.op === NO_OP ? null : (OPERATIONS[r.op] ?? null), segments }
    }
    return opts
  }

  /** A frame's decoded text (summary and every field value), for text~ filters. */
  text(id: number): string {
    const r = this.store.row(id)
    const b = this.store.bytes(id)
    if (r === null || b === null) return ''
    const d = dissectFrame(b.wire, this.dissectOptions(r, b.plaintext, b.extra))
    const parts: string[] = [d.summary]
    const walk = (fs: readonly Field[]): void => {
      for (const f of fs) {
        if (f.value !== undefined) parts.push(f.value)
        if (f.children) walk(f.children)
      }
    }
    walk(d.fields)
    return parts.join('\n')
  }
}
