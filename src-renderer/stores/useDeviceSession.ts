// SPDX-License-Identifier: Apache-2.0
// What the device page shows about one device: its registration (and whether it ended), its
// object models, the server's timeline and observation list, the latest value per path with the
// time it was read, numeric series for the plot, and the requests this page has in flight.
import type { CancelResultDto, DeviceDetail, DeviceState, JsonRecord, ObservationDto, OperationResultDto, QueuedRequestDto, TimelineEntryDto } from '@contract/devices'
import type { ModelDetail } from '@contract/models'
import { defineStore } from 'pinia'
import { computed, ref, shallowRef, triggerRef } from 'vue'
import { BackendError, useBackend } from '../backend'

export interface Series {
  readonly t: number[]
  readonly v: number[]
}

/** A value as last read or notified, and when. */
export interface ValueEntry {
  readonly record: JsonRecord
  readonly at: string
}

/** A request this page sent and still waits for; `state` follows the server's queue. */
export interface InFlight {
  readonly requestId: string
  readonly operation: string
  readonly path: string
  readonly startedAt: number
  readonly state: 'starting' | QueuedRequestDto['state']
}

/** Why the registration ended, as the device page says it. */
export interface Ended {
  readonly state: Extract<DeviceState, 'expired' | 'deregistered'>
  readonly at: string
}

const TIMELINE_PAGE = 500
const MAX_TIMELINE = 2000
const MAX_POINTS = 5000

export const useDeviceSession = defineStore('deviceSession', () => {
  const backend = useBackend()
  const endpoint = ref<string | null>(null)
  const detail = shallowRef<DeviceDetail | null>(null)
  const ended = ref<Ended | null>(null)
  const models = shallowRef(new Map<number, ModelDetail>())
  /** The server's timeline, oldest first, unique by seq. */
  const timeline = shallowRef<TimelineEntryDto[]>([])
  const values = shallowRef(new Map<string, ValueEntry>())
  const series = shallowRef(new Map<string, Series>())
  /** The server's observations of this device (devices.observations), kept current by events. */
  const observationList = shallowRef<ObservationDto[]>([])
  const inFlight = shallowRef(new Map<string, InFlight>())
  /** Discover answers per path listed (attributes, presence), kept apart from values (item 6). */
  const discovered = shallowRef(new Map<string, readonly string[]>())
  /** Endpoints whose dangerous actions run without asking, for this session only (item 1). */
  const noConfirm = ref(new Set<string>())
  const error = ref<string | null>(null)
  let nextId = 0
  let seen = new Set<number>()

  /** path → observation id (each path of each observation), for the tree's eye and the inspector. */
  const observations = computed(() => {
    const m = new Map<string, string>()
    for (const o of observationList.value) for (const p of o.paths) m.set(p, o.id)
    return m
  })

  async function open(ep: string): Promise<void> {
    if (endpoint.value !== ep) {
      endpoint.value = ep
      detail.value = null
      ended.value = null
      timeline.value = []
      seen = new Set()
      values.value = new Map()
      series.value = new Map()
      observationList.value = []
      inFlight.value = new Map()
      discovered.value = new Map()
    }
    await Promise.all([refresh(), loadTimeline(), loadObservations()])
  }

  async function refresh(): Promise<void> {
    const ep = endpoint.value
    if (!ep) return
    try {
      const d = await backend.call('devices.get', { endpoint: ep })
      if (ep !== endpoint.value) return
      detail.value = d
      ended.value = d.state === 'expired' || d.state === 'deregistered' ? { state: d.state, at: d.endedAt ?? d.lastSeen } : null
      error.value = null
      await loadModels(d)
    } catch (e) {
      if (e instanceof BackendError && e.code === 'devices.not_registered') {
        // Ended (or never here): keep what we showed; the timeline says why.
        if (!ended.value) ended.value = { state: 'deregistered', at: new Date().toISOString() }
        error.value = detail.value ? null : `${ep} is not registered now.`
      } else error.value = (e as Error).message
    }
  }

  async function loadModels(d: DeviceDetail): Promise<void> {
    const ids = new Map<number, string | null>()
    for (const o of d.objects) {
      const id = Number(o.path.split('/')[1])
      if (!ids.has(id) || o.version) ids.set(id, o.version)
    }
    const next = new Map(models.value)
    await Promise.all(
      [...ids].filter(([id]) => !next.has(id)).map(async ([id, version]) => {
        try {
          next.set(id, await backend.call('models.get', version ? { id, version } : { id }))
        } catch {
          // An object without a model still shows, by number only.
        }
      })
    )
    models.value = next
  }

  /** The whole kept history, page by page, then live from devices.timelineAppended. */
  async function loadTimeline(): Promise<void> {
    const ep = endpoint.value
    if (!ep) return
    try {
      let cursor = -1
      for (;;) {
        const page = await backend.call('devices.timeline', { endpoint: ep, cursor, limit: TIMELINE_PAGE })
        if (ep !== endpoint.value) return
        addEntries(page.entries)
        if (!page.live && !detail.value) ended.value ??= endedFrom(page.entries)
        if (page.entries.length < TIMELINE_PAGE) break
        cursor = page.nextCursor
      }
    } catch {
      // No history for this endpoint: the page says so through `error`.
    }
  }

  function addEntries(entries: readonly TimelineEntryDto[]): void {
    const fresh = entries.filter((e) => !seen.has(e.seq))
    if (!fresh.length) return
    for (const e of fresh) seen.add(e.seq)
    const last = timeline.value.at(-1)
    const inOrder = !last || (fresh[0] as TimelineEntryDto).seq > last.seq
    let next = [...timeline.value, ...fresh]
    if (!inOrder) next.sort((a, b) => a.seq - b.seq)
    if (next.length > MAX_TIMELINE) next = next.slice(-MAX_TIMELINE)
    timeline.value = next
    for (const e of fresh) if (e.kind === 'expired' || e.kind === 'deregistered') ended.value = { state: e.kind, at: e.at }
  }

  async function loadObservations(): Promise<void> {
    const ep = endpoint.value
    if (!ep) return
    try {
      const r = await backend.call('devices.observations', { endpoint: ep })
      if (ep === endpoint.value) observationList.value = r.observations
    } catch {
      observationList.value = []
    }
  }

  /**
   * Sends one request with an id of ours, so the page can show its state and elapsed time and
   * cancel it (devices.cancel). The caller gets the result or the contract error.
   */
  async function request<T extends OperationResultDto>(operation: string, path: string, send: (requestId: string) => Promise<T>): Promise<T> {
    const requestId = `ui-${Date.now().toString(36)}-${nextId++}`
    inFlight.value.set(requestId, { requestId, operation, path, startedAt: Date.now(), state: 'starting' })
    triggerRef(inFlight)
    try {
      const r = await send(requestId)
      absorb(r, operation === 'Observe' || operation === 'Observe-Composite', operation !== 'Discover')
      return r
    } finally {
      inFlight.value.delete(requestId)
      triggerRef(inFlight)
    }
  }

  async function cancel(requestId: string): Promise<CancelResultDto> {
    if (!endpoint.value) throw new Error('no device open')
    return backend.call('devices.cancel', { endpoint: endpoint.value, requestId })
  }

  /** Ends an observation; `clearAttributes` also removes attributes it attached (1.0/1.1 route). */
  async function stopObservation(observationId: string, clearAttributes = false): Promise<OperationResultDto[]> {
    const r = await backend.call('devices.cancelObservation', { observationId, ...(clearAttributes ? { clearAttributes: true } : {}) })
    observationList.value = observationList.value.filter((o) => o.id !== observationId)
    return r.cleared
  }

  function setDiscovered(links: readonly { path: string; attributes: readonly string[] }[]): void {
    const next = new Map(discovered.value)
    for (const l of links) next.set(l.path, l.attributes)
    discovered.value = next
  }

  /** Keeps values (with their time) and, for observed answers, the plot series. */
  function absorb(r: OperationResultDto, plot: boolean, keep = true): void {
    if (!keep || !r.records.length) return
    const t = Date.parse(r.at) / 1000
    const next = new Map(values.value)
    for (const rec of r.records) {
      next.set(rec.path, { record: rec, at: r.at })
      if (plot && typeof rec.value === 'number' && (rec.type === 'integer' || rec.type === 'float' || rec.type === 'unsigned')) {
        const s = series.value.get(rec.path) ?? { t: [], v: [] }
        s.t.push(t)
        s.v.push(rec.value)
        if (s.t.length > MAX_POINTS) {
          s.t.shift()
          s.v.shift()
        }
        series.value.set(rec.path, s)
      }
    }
    // New Map identity: children that receive it as a prop re-render.
    values.value = next
    triggerRef(series)
  }

  function endedFrom(entries: readonly TimelineEntryDto[]): Ended | null {
    const e = [...entries].reverse().find((x) => x.kind === 'expired' || x.kind === 'deregistered')
    return e ? { state: e.kind as Ended['state'], at: e.at } : null
  }

  backend.on('devices.timelineAppended', (e) => e.endpoint === endpoint.value && addEntries([e.entry]))
  backend.on('devices.notification', (e) => {
    if (e.endpoint !== endpoint.value) return
    absorb(e.result, true)
    observationList.value = observationList.value.map((o) =>
      o.id === e.observationId ? { ...o, notifications: o.notifications + 1, lastNotificationAt: e.result.at, lastValue: e.result } : o
    )
  })
  backend.on('devices.send', (e) => e.endpoint === endpoint.value && absorb(e.result, false))
  backend.on('devices.observationEnded', (e) => {
    if (e.endpoint !== endpoint.value) return
    observationList.value = observationList.value.filter((o) => o.id !== e.observationId)
  })
  backend.on('devices.updated', (e) => {
    if (e.device.endpoint !== endpoint.value || !detail.value) return
    detail.value = { ...detail.value, ...e.device }
  })
  backend.on('devices.registered', (e) => {
    if (e.device.endpoint !== endpoint.value) return
    // A new registration drops the old observations (C §6.2); objects may have changed.
    observationList.value = []
    void refresh()
  })
  backend.on('devices.deregistered', (e) => {
    if (e.endpoint !== endpoint.value || e.reason === 'replaced') return
    ended.value = { state: e.reason === 'expired' ? 'expired' : 'deregistered', at: new Date().toISOString() }
    observationList.value = []
  })
  backend.on('devices.queue', (e) => {
    if (e.endpoint !== endpoint.value) return
    if (detail.value) detail.value = { ...detail.value, queue: e.queue, pending: e.queue.filter((q) => q.state === 'queued').length }
    let changed = false
    for (const q of e.queue) {
      const mine = inFlight.value.get(q.id)
      if (mine && mine.state !== q.state) {
        inFlight.value.set(q.id, { ...mine, state: q.state })
        changed = true
      }
    }
    if (changed) triggerRef(inFlight)
  })

  return {
    endpoint,
    detail,
    ended,
    models,
    timeline,
    values,
    series,
    observationList,
    observations,
    inFlight,
    discovered,
    noConfirm,
    error,
    open,
    refresh,
    loadObservations,
    request,
    cancel,
    stopObservation,
    setDiscovered,
    absorb
  }
})
