// SPDX-License-Identifier: Apache-2.0
// Information Reporting as a client does it (C §6.4, §7.3; facts §3.4): Observe and
// Observe-Composite with the attributes attached by Write-Attributes and those carried in the
// request (1.2, LwM2M-INFO-01/02), `edge` on Booleans (INFO-03), `con`, and, while the device
// sleeps, stored notifications (/1/x/6, `hqmax`) sent with their timestamps once it is awake.
//
// Threshold semantics (the spec leaves their combination open, facts §7): with gt/lt/st set, a
// change is reported when it crosses gt or lt, or moves at least st from the last reported
// value; with none of them, every change is. epmin/epmax are accepted but values change only by
// events here, so there is nothing to evaluate periodically.
import { Option } from '../../coap/message'
import { uintOptionOf } from '../../coap/options'
import type { Scheduler } from '../../ports'
import type { NotificationAttributes } from '../attributes'
import { CF, type ContentFormat } from '../content-format'
import type { ShortServerId } from '../ids'
import { pathStartsWith, type Path } from '../path'
import type { Lwm2mRecord } from '../record'
import type { Value } from '../value'
import type { ClientResponse } from './client-request'
import { encodeAnswer, readableRecords, type DmContext } from './device-management'

/** The part of an observe relation (core/coap/observe-server.ts) reporting needs. */
export interface NotificationSink {
  readonly active: boolean
  notify(response: { code: number; options?: readonly { number: number; value: Uint8Array }[]; payload?: Uint8Array }, opts?: { confirmable?: boolean }): void
  end(): void
}

export interface ObservationSpec {
  readonly ssid: ShortServerId
  /** One path for Observe, the list for Observe-Composite. */
  readonly paths: readonly Path[]
  readonly composite: boolean
  readonly accept: ContentFormat | null
  /** Attributes carried in the Observe request (1.2): valid for this observation only. */
  readonly queryAttributes: NotificationAttributes
}

export interface ReportingOptions {
  readonly scheduler: Scheduler
  /** Wall-clock Unix seconds, for the timestamps of stored notifications. */
  readonly wallClock: () => number
  readonly context: (ssid: ShortServerId) => DmContext
  /** Whether the device can send now (queue mode: awake). */
  readonly awake: () => boolean
  /** /1/x/6 Notification Storing When Disabled or Offline for this server. */
  readonly storing: (ssid: ShortServerId) => boolean
  /** /1/x/26 Default Notification Mode: true for CON. */
  readonly defaultConfirmable: (ssid: ShortServerId) => boolean
  /** /1/x/2 and /1/x/3 for this server. */
  readonly defaultPeriods: (ssid: ShortServerId) => { pmin: number | null; pmax: number | null }
  /** A notification is waiting and the device sleeps (queue mode wakes it with an Update). */
  readonly onPending?: (ssid: ShortServerId) => void
}

interface Stored {
  readonly at: number
  readonly records: Lwm2mRecord[]
}

/** Stored notifications beyond this are dropped oldest-first when hqmax is not set. */
const DEFAULT_HQMAX = 100

export class Observation {
  lastSentAt: number
  lastValue: Value | null
  cancelTimer: (() => void) | null = null
  readonly stored: Stored[] = []
  pending = false
  notifications = 0

  constructor(
    readonly spec: ObservationSpec,
    readonly sink: NotificationSink,
    readonly format: ContentFormat,
    readonly attrs: NotificationAttributes,
    now: number,
    first: Value | null
  ) {
    this.lastSentAt = now
    this.lastValue = first
  }
}

export class Reporting {
  private readonly observations = new Set<Observation>()

  constructor(private readonly o: ReportingOptions) {}

  /**
   * The answer to an Observe/Observe-Composite registration, and the observation to start once the
   * relation exists. The answer is the initial notification (a Read of the targets).
   */
  first(spec: ObservationSpec): { response: ClientResponse; attrs: NotificationAttributes } {
    const ctx = this.o.context(spec.ssid)
    const attrs = this.effective(spec)
    const records = this.recordsOf(spec, ctx)
    const path = spec.composite ? ([] as Path) : (spec.paths[0] as Path)
    return { response: encodeAnswer(path, records, spec.accept ?? (spec.composite ? compositeFormat(ctx) : null), ctx), attrs }
  }

  start(spec: ObservationSpec, sink: NotificationSink, format: ContentFormat, attrs: NotificationAttributes): Observation {
    const ctx = this.o.context(spec.ssid)
    const obs = new Observation(spec, sink, format, attrs, this.o.scheduler.now(), singleValue(this.recordsOf(spec, ctx)))
    this.observations.add(obs)
    this.arm(obs)
    return obs
  }

  stop(obs: Observation): void {
    obs.cancelTimer?.()
    obs.cancelTimer = null
    this.observations.delete(obs)
  }

  /** Ends every observation of a server (its account is gone or it registered anew). */
  stopServer(ssid: ShortServerId): void {
    for (const obs of [...this.observations]) {
      if (obs.spec.ssid !== ssid) continue
      obs.sink.end()
      this.stop(obs)
    }
  }

  stopAll(): void {
    for (const obs of [...this.observations]) {
      obs.sink.end()
      this.stop(obs)
    }
  }

  list(): readonly Observation[] {
    return [...this.observations]
  }

  /** The tree changed at `path`: every observation of it, or of something above or below, may fire. */
  changed(path: Path): void {
    for (const obs of this.observations) {
      if (!obs.spec.paths.some((p) => pathStartsWith(path, p) || pathStartsWith(p, path))) continue
      this.consider(obs)
    }
  }

  /** The device woke up: send what waited (stored notifications first, with their timestamps). */
  wake(): void {
    for (const obs of this.observations) {
      if (obs.stored.length > 0) this.flushStored(obs)
      else if (obs.pending) this.send(obs)
    }
  }

  private effective(spec: ObservationSpec): NotificationAttributes {
    const ctx = this.o.context(spec.ssid)
    const defaults = this.o.defaultPeriods(spec.ssid)
    const fromStore = spec.composite ? {} : ctx.attributes.effective(spec.ssid, spec.paths[0] as Path)
    const out: Record<string, number | null | undefined> = {}
    if (defaults.pmin !== null) out.pmin = defaults.pmin
    if (defaults.pmax !== null) out.pmax = defaults.pmax
    Object.assign(out, fromStore, spec.queryAttributes)
    return out as NotificationAttributes
  }

  private recordsOf(spec: ObservationSpec, ctx: DmContext): Lwm2mRecord[] {
    const out: Lwm2mRecord[] = []
    for (const p of spec.paths) out.push(...(readableRecords(ctx, p) ?? []))
    return out
  }

  private num(obs: Observation, name: keyof NotificationAttributes): number | null {
    const v = obs.attrs[name]
    return typeof v === 'number' ? v : null
  }

  /** pmax: notify even without a change. */
  private arm(obs: Observation): void {
    obs.cancelTimer?.()
    obs.cancelTimer = null
    const pmax = this.num(obs, 'pmax')
    const pmin = this.num(obs, 'pmin') ?? 0
    if (pmax !== null && pmax > 0 && pmax >= pmin) {
      obs.cancelTimer = this.o.scheduler.schedule(pmax * 1000, () => {
        obs.cancelTimer = null
        this.send(obs)
      })
    }
  }

  /** A change happened: report it if the conditions hold, now or once pmin has passed. */
  private consider(obs: Observation): void {
    const ctx = this.o.context(obs.spec.ssid)
    const current = singleValue(this.recordsOf(obs.spec, ctx))
    if (!this.conditionsMet(obs, current)) return
    const pmin = this.num(obs, 'pmin') ?? 0
    const due = obs.lastSentAt + pmin * 1000
    const now = this.o.scheduler.now()
    if (now >= due) {
      this.send(obs)
      return
    }
    if (obs.pending) return
    obs.pending = true
    obs.cancelTimer?.()
    obs.cancelTimer = this.o.scheduler.schedule(due - now, () => {
      obs.cancelTimer = null
      this.send(obs)
    })
  }

  private conditionsMet(obs: Observation, v: Value | null): boolean {
    const last = obs.lastValue
    if (v === null || last === null) return true
    if (v.type === 'boolean' && last.type === 'boolean') {
      const edge = this.num(obs, 'edge')
      if (v.value === last.value) return false
      if (edge !== 1 && edge !== 0) return true
      // Rising (edge=1) or falling (edge=0) transitions only (INFO-03). An edge is measured from
      // the previous state, reported or not: remember the one filtered out, or the next edge
      // would compare with a stale value and be missed.
      const wanted = edge === 1 ? v.value : !v.value
      if (!wanted) obs.lastValue = v
      return wanted
    }
    const x = numeric(v)
    const y = numeric(last)
    if (x === null || y === null) return !sameValue(v, last)
    const gt = this.num(obs, 'gt')
    const lt = this.num(obs, 'lt')
    const st = this.num(obs, 'st')
    if (gt === null && lt === null && st === null) return x !== y
    const crossed = (t: number | null): boolean => t !== null && (y <= t) !== (x <= t)
    return crossed(gt) || crossed(lt) || (st !== null && Math.abs(x - y) >= st)
  }

  private send(obs: Observation): void {
    obs.pending = false
    if (!obs.sink.active) {
      this.stop(obs)
      return
    }
    const ctx = this.o.context(obs.spec.ssid)
    const records = this.recordsOf(obs.spec, ctx)
    if (!this.o.awake()) {
      // Asleep: keep it (with its time) when storing is on, else only the newest state.
      if (this.o.storing(obs.spec.ssid)) {
        obs.stored.push({ at: this.o.wallClock(), records })
        const max = this.num(obs, 'hqmax') ?? DEFAULT_HQMAX
        while (obs.stored.length > Math.max(1, max)) obs.stored.shift()
      } else {
        obs.pending = true
      }
      this.o.onPending?.(obs.spec.ssid)
      this.arm(obs)
      return
    }
    this.deliver(obs, records)
  }

  private deliver(obs: Observation, records: Lwm2mRecord[]): void {
    const ctx = this.o.context(obs.spec.ssid)
    const path = obs.spec.composite ? ([] as Path) : (obs.spec.paths[0] as Path)
    const answer = encodeAnswer(path, records, obs.format, ctx)
    const con = this.num(obs, 'con')
    const confirmable = con === null ? this.o.defaultConfirmable(obs.spec.ssid) : con === 1
    obs.sink.notify(toNotification(answer), { confirmable })
    obs.notifications++
    obs.lastSentAt = this.o.scheduler.now()
    obs.lastValue = singleValue(records)
    this.arm(obs)
  }

  private flushStored(obs: Observation): void {
    const stored = obs.stored.splice(0)
    const timed = obs.format === CF.SENML_JSON || obs.format === CF.SENML_CBOR
    if (!timed) {
      // Formats without time carry only the newest state.
      const last = stored[stored.length - 1]
      if (last) this.deliver(obs, last.records)
      return
    }
    // Historical records with their time (facts §3.4), oldest first, in one notification.
    const records = stored.flatMap((s) => s.records.map((r) => ({ ...r, time: s.at })))
    this.deliver(obs, records)
  }
}

function compositeFormat(ctx: DmContext): ContentFormat {
  return ctx.preferredFormat === CF.LWM2M_CBOR || ctx.preferredFormat === CF.SENML_JSON ? ctx.preferredFormat : CF.SENML_CBOR
}

/** The observed value when the observation covers one resource; null otherwise. */
function singleValue(records: readonly Lwm2mRecord[]): Value | null {
  return records.length === 1 ? (records[0]?.value ?? null) : null
}

function numeric(v: Value): number | null {
  return v.type === 'integer' || v.type === 'unsigned' || v.type === 'float' || v.type === 'time' ? Number(v.value) : null
}

function sameValue(a: Value, b: Value): boolean {
  if (a.type !== b.type) return false
  if (a.type === 'opaque' && b.type === 'opaque') return a.value.length === b.value.length && a.value.every((x, i) => x === b.value[i])
  if (a.type === 'objlnk' && b.type === 'objlnk') return a.value.objectId === b.value.objectId && a.value.instanceId === b.value.instanceId
  return a.value === b.value
}

export function toNotification(r: ClientResponse): { code: number; options: { number: number; value: Uint8Array }[]; payload: Uint8Array } {
  const options = r.contentFormat !== undefined ? [uintOptionOf(Option.CONTENT_FORMAT, r.contentFormat)] : []
  return { code: r.code, options, payload: r.payload ?? new Uint8Array(0) }
}

