// SPDX-License-Identifier: Apache-2.0
// Each device's story as the server saw it: registrations, updates, takeovers, requests with
// their code and duration, late responses, expiry. Kept here rather than in a UI so every viewer
// (and a reload) sees the same history. Bounded per device; a device whose registration ended is
// kept for a retention period, then forgotten.
import type { Registration } from './registry'

export type TimelineKind =
  | 'registered'
  | 'updated'
  | 'takeover'
  | 'address-changed'
  | 'deregistered'
  | 'expired'
  | 'request'
  | 'late-response'
  | 'cancelled'
  | 'send'
  | 'observation-started'
  | 'observation-ended'

export interface TimelineEntry {
  /** Increases by one per entry of this device: a cursor for paging and for de-duplicating live updates. */
  readonly seq: number
  readonly at: number
  readonly kind: TimelineKind
  /** One line a person can read. */
  readonly text: string
  readonly registrationId?: string
  readonly requestId?: string
  readonly operation?: string
  readonly path?: string
  /** Response code as text ("2.05"), when there was one. */
  readonly code?: string
  readonly durationMs?: number
  readonly address?: string
  readonly previousAddress?: string
}

/**
 * An answered request, the one entry every request adds: its line is written when somebody reads
 * it. Built eagerly, each line was a tree of a dozen string pieces per request that the GC copied
 * and kept for as long as the device's history (issue 12, server speed).
 */
class AnsweredRequest implements TimelineEntry {
  readonly kind = 'request'
  readonly #meaning: string

  constructor(
    readonly seq: number,
    readonly at: number,
    readonly requestId: string,
    readonly operation: string,
    readonly path: string,
    readonly code: string,
    readonly durationMs: number,
    meaning: string
  ) {
    this.#meaning = meaning
  }

  get text(): string {
    return `${this.operation} ${this.path} → ${this.code} ${this.#meaning} in ${this.durationMs} ms`
  }
}

export type EndReason = 'de-register' | 'expired'

export interface DeviceHistory {
  readonly endpoint: string
  readonly entries: readonly TimelineEntry[]
  /** The last registration seen (also after it ended). */
  readonly registration: Registration | null
  readonly ended: { readonly at: number; readonly reason: EndReason } | null
}

interface Record_ {
  endpoint: string
  entries: TimelineEntry[]
  nextSeq: number
  registration: Registration | null
  ended: { at: number; reason: EndReason } | null
}

export interface TimelineOptions {
  /** Entries kept per device (the oldest go first). */
  readonly maxEntries?: number
  /** How long a device whose registration ended stays listed (ms); read at each use (a setting). */
  readonly retentionMs: () => number
  readonly onAppend?: (endpoint: string, entry: TimelineEntry) => void
}

export class DeviceTimeline {
  readonly #devices = new Map<string, Record_>()
  /** Ended devices in the order they ended: the oldest are at the front. */
  readonly #ended = new Map<string, number>()
  readonly #max: number

  constructor(private readonly o: TimelineOptions) {
    this.#max = o.maxEntries ?? 500
  }

  append(endpoint: string, at: number, entry: Omit<TimelineEntry, 'seq' | 'at'>): TimelineEntry {
    const r = this.record(endpoint)
    return this.push(endpoint, r, { seq: r.nextSeq++, at, ...entry })
  }

  /** A request that got an answer (code as text, e.g. "2.05", and its short meaning). */
  appendAnswered(endpoint: string, at: number, a: { requestId: string; operation: string; path: string; code: string; meaning: string; durationMs: number }): TimelineEntry {
    const r = this.record(endpoint)
    return this.push(endpoint, r, new AnsweredRequest(r.nextSeq++, at, a.requestId, a.operation, a.path, a.code, a.durationMs, a.meaning))
  }

  private push(endpoint: string, r: Record_, e: TimelineEntry): TimelineEntry {
    r.entries.push(e)
    if (r.entries.length > this.#max) r.entries.splice(0, r.entries.length - this.#max)
    this.o.onAppend?.(endpoint, e)
    return e
  }

  /** The device registered (again): it is live, whatever happened before. */
  live(registration: Registration): void {
    const r = this.record(registration.endpoint)
    r.registration = registration
    r.ended = null
    this.#ended.delete(registration.endpoint)
  }

  ended(registration: Registration, at: number, reason: EndReason): void {
    const r = this.record(registration.endpoint)
    r.registration = registration
    r.ended = { at, reason }
    this.#ended.delete(registration.endpoint)
    this.#ended.set(registration.endpoint, at)
    this.prune(at)
  }

  /** Entries after `cursor` (a seq; -1 for all), oldest first. */
  page(endpoint: string, now: number, cursor = -1, limit = 200): { entries: TimelineEntry[]; nextCursor: number; total: number } | null {
    this.prune(now)
    const r = this.#devices.get(endpoint)
    if (!r) return null
    const from = r.entries.findIndex((e) => e.seq > cursor)
    const entries = from < 0 ? [] : r.entries.slice(from, from + limit)
    return { entries, nextCursor: entries.at(-1)?.seq ?? cursor, total: r.entries.length }
  }

  history(endpoint: string, now: number): DeviceHistory | null {
    this.prune(now)
    const r = this.#devices.get(endpoint)
    return r ? { endpoint: r.endpoint, entries: r.entries, registration: r.registration, ended: r.ended } : null
  }

  /** Devices whose registration ended within the retention period, most recent first. */
  endedDevices(now: number): DeviceHistory[] {
    this.prune(now)
    const out: DeviceHistory[] = []
    for (const ep of this.#ended.keys()) {
      const h = this.history(ep, now)
      if (h) out.push(h)
    }
    return out.reverse()
  }

  /** Ended devices past the retention period are forgotten (their entries with them). */
  prune(now: number): void {
    const keep = this.o.retentionMs()
    for (const [ep, at] of this.#ended) {
      if (now - at < keep) break
      this.#ended.delete(ep)
      this.#devices.delete(ep)
    }
  }

  private record(endpoint: string): Record_ {
    let r = this.#devices.get(endpoint)
    if (!r) {
      r = { endpoint, entries: [], nextSeq: 0, registration: null, ended: null }
      this.#devices.set(endpoint, r)
    }
    return r
  }
}
