// SPDX-License-Identifier: Apache-2.0
// The live capture (issue 16): takes every frame the process-wide tap hands over, follows the
// exchanges, keeps the frames in a bounded compact store, and announces new frames in batches.
// Frames are opened (field tree, bytes) one at a time; lists are windows over the store.
import type { CaptureFrame } from '../transports/capture-tap'
import { captureSink, setCaptureSink } from '../transports/capture-tap'
import { ExchangeAnalyzer } from '../core/inspect/analyzer'
import { FrameStore, type FrameRecord, type FrameRow } from '../core/inspect/frame-store'
import type { ModelLookup } from '../core/lwm2m/model'
import type { CaptureFrameDto } from '../contract/capture'
import { frameDto } from './capture-dto'
import type { EventHub } from './event-hub'

export const DEFAULT_CAPTURE_BYTES = 256 * 1024 * 1024
/** Most rows one capture.frames event carries; the rest is counted (clients page with capture.list). */
const BATCH_ROWS = 500
const BATCH_MS = 50

export interface CaptureServiceOptions {
  readonly events: EventHub
  readonly models: () => ModelLookup
  readonly maxBytes?: number
}

export class CaptureService {
  store: FrameStore
  #analyzer = new ExchangeAnalyzer()
  #paused = false
  #batch: number[] = []
  #batchMore = 0
  #timer: ReturnType<typeof setTimeout> | null = null
  #faults = 0

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
    return this.store.append(r, facts)
  }

  readonly #sink = (f: CaptureFrame): void => {
    try {
      const local = `${f.transport}:${f.local}`
      const r: FrameRecord = {
        at: f.at,
        direction: f.direction,
        transport: f.transport,
        src: f.direction === 'in' ? f.peer.key : local,
        dst: f.direction === 'in' ? local : f.peer.key,
        bytes: f.bytes,
        ...(f.plaintext ? { plaintext: f.plaintext } : {}),
        ...(f.epoch !== undefined ? { epoch: f.epoch } : {}),
        ...(f.seq !== undefined ? { seq: f.seq } : {}),
        ...(f.cid !== undefined ? { cid: f.cid } : {}),
        ...(f.identity !== undefined ? { identity: f.identity } : {})
      }
      const id = this.add(r)
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
    const rows = ids.map((id) => this.store.row(id)).filter((r): r is FrameRow => r !== null)
    if (rows.length === 0 && more === 0) return
    this.opts.events.emit('capture.frames', { frames: rows.map((r) => this.dto(r)), more, total: this.store.count, lastId: this.store.nextId - 1 })
  }

  /** Starts taking frames from every transport. */
  start(): void {
    if (!this.#paused) setCaptureSink(this.#sink)
  }

  close(): void {
    // Another workbench in this process (tests) may have taken the tap since.
    if (captureSink() === this.#sink) setCaptureSink(null)
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = null
  }

  #wire(): void {
    this.#analyzer.onPair = (earlier, later) => this.store.setPair(earlier, later)
  }

  dto(r: FrameRow): CaptureFrameDto {
    return frameDto(r, this.models)
  }
}
