// SPDX-License-Identifier: Apache-2.0
// What the device page shows about one device: its registration, its object models, the timeline of
// operations and notifications, the latest value per path and numeric series for the plot.
import type { DeviceDetail, JsonRecord, OperationResultDto } from '@contract/devices'
import type { ModelDetail } from '@contract/models'
import { defineStore } from 'pinia'
import { ref, shallowRef, triggerRef } from 'vue'
import { useBackend } from '../backend'

export interface TimelineEntry {
  readonly id: number
  readonly at: string
  readonly kind: 'operation' | 'notification' | 'send' | 'event'
  readonly title: string
  readonly path: string
  readonly code: string | null
  readonly success: boolean
  readonly detail: string
}

export interface Series {
  readonly t: number[]
  readonly v: number[]
}

const MAX_TIMELINE = 500
const MAX_POINTS = 5000

export const useDeviceSession = defineStore('deviceSession', () => {
  const backend = useBackend()
  const endpoint = ref<string | null>(null)
  const detail = shallowRef<DeviceDetail | null>(null)
  const models = shallowRef(new Map<number, ModelDetail>())
  const timeline = shallowRef<TimelineEntry[]>([])
  const values = shallowRef(new Map<string, JsonRecord>())
  const series = shallowRef(new Map<string, Series>())
  /** path → observation id */
  const observations = shallowRef(new Map<string, string>())
  const error = ref<string | null>(null)
  let seq = 0

  async function open(ep: string): Promise<void> {
    if (endpoint.value !== ep) {
      endpoint.value = ep
      timeline.value = []
      values.value = new Map()
      series.value = new Map()
      observations.value = new Map()
    }
    await refresh()
  }

  async function refresh(): Promise<void> {
    if (!endpoint.value) return
    try {
      const d = await backend.call('devices.get', { endpoint: endpoint.value })
      detail.value = d
      error.value = null
      const ids = new Map<number, string | null>()
      for (const o of d.objects) {
        const id = Number(o.path.split('/')[1])
        if (!ids.has(id) || o.version) ids.set(id, o.version)
      }
      const next = new Map(models.value)
      await Promise.all(
        [...ids].map(async ([id, version]) => {
          try {
            next.set(id, await backend.call('models.get', version ? { id, version } : { id }))
          } catch {
            // An object without a model still shows, by number only.
          }
        })
      )
      models.value = next
    } catch (e) {
      error.value = (e as Error).message
    }
  }

  function record(kind: TimelineEntry['kind'], title: string, path: string, r: OperationResultDto | null, detailText = ''): void {
    const entry: TimelineEntry = {
      id: seq++,
      at: r?.at ?? new Date().toISOString(),
      kind,
      title,
      path,
      code: r?.code ?? null,
      success: r?.success ?? false,
      detail: detailText || (r ? `${r.meaning}${r.records.length ? ` · ${r.records.length} value${r.records.length > 1 ? 's' : ''}` : ''}${r.violations.length ? ` · ${r.violations.length} violation(s)` : ''}` : '')
    }
    timeline.value = [entry, ...timeline.value].slice(0, MAX_TIMELINE)
    // Only observed values are plotted (the first answer of an Observe and its notifications).
    if (r) absorb(r, kind === 'notification' || title === 'Observe')
  }

  function absorb(r: OperationResultDto, plot: boolean): void {
    if (!r.records.length) return
    const t = Date.parse(r.at) / 1000
    for (const rec of r.records) {
      values.value.set(rec.path, rec)
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
    // New Map identities: children that receive them as props re-render (triggerRef alone does not reach them).
    values.value = new Map(values.value)
    triggerRef(series)
  }

  backend.on('devices.notification', (e) => {
    if (e.endpoint !== endpoint.value) return
    const path = [...observations.value].find(([, id]) => id === e.observationId)?.[0] ?? ''
    record('notification', 'Notification', path, e.result)
  })
  backend.on('devices.send', (e) => e.endpoint === endpoint.value && record('send', 'Send (/dp)', '/dp', e.result))
  backend.on('devices.observationEnded', (e) => {
    if (e.endpoint !== endpoint.value) return
    const path = [...observations.value].find(([, id]) => id === e.observationId)?.[0]
    if (path) {
      observations.value.delete(path)
      triggerRef(observations)
      record('event', 'Observation ended', path, null, e.reason)
    }
  })
  backend.on('devices.updated', (e) => e.device.endpoint === endpoint.value && void refresh())
  backend.on('devices.registered', (e) => {
    if (e.device.endpoint !== endpoint.value) return
    record('event', 'Registered again', '/', null, 'observations were dropped (C §6.2)')
    observations.value = new Map()
    void refresh()
  })
  backend.on('devices.queue', (e) => e.endpoint === endpoint.value && void refresh())

  return { endpoint, detail, models, timeline, values, series, observations, error, open, refresh, record }
})
