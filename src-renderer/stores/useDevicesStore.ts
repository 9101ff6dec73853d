// SPDX-License-Identifier: Apache-2.0
// The device list. Sorting, the state filter and the search run on the server (devices.list), since
// the view is windowed; `rows` is the server's answer in pages. `byEndpoint` keeps every live
// registration current from events (the device page reads it). Entries are replaced, never
// mutated, and both live in shallowRefs so 10 000 devices stay cheap.
import type { DeviceSortKey, DeviceSummary } from '@contract/devices'
import { defineStore } from 'pinia'
import { ref, shallowRef, triggerRef, watch } from 'vue'
import { useBackend } from '../backend'
import { useConnectionStore } from './useConnectionStore'

const PAGE = 1000
/** Registrations arriving in a burst refetch the sorted list at most this often. */
const REFETCH_MS = 1000

export type StateFilter = 'live' | 'expired' | 'deregistered'

export const useDevicesStore = defineStore('devices', () => {
  const backend = useBackend()
  const connection = useConnectionStore()
  const byEndpoint = shallowRef(new Map<string, DeviceSummary>())
  const rows = shallowRef<DeviceSummary[]>([])
  const filter = ref('')
  const sort = ref<DeviceSortKey>('endpoint')
  const order = ref<'asc' | 'desc'>('asc')
  const state = ref<StateFilter>('live')
  const error = ref<string | null>(null)
  const loading = ref(false)
  /** Ticks every second for lifetime countdowns and "last seen" texts. */
  const now = ref(Date.now())
  setInterval(() => (now.value = Date.now()), 1000)
  let rowIndex = new Map<string, number>()

  async function fetchAll(params: Record<string, unknown>): Promise<DeviceSummary[]> {
    const out: DeviceSummary[] = []
    for (let cursor = 0; ; cursor += PAGE) {
      const page = await backend.call('devices.list', { ...params, cursor, limit: PAGE })
      out.push(...page.devices)
      if (cursor + PAGE >= page.total) break
    }
    return out
  }

  let seq = 0
  /** The list as the server sorts and filters it; a slower, older answer never overwrites a newer one. */
  async function loadRows(): Promise<void> {
    const mine = ++seq
    const f = filter.value.trim()
    const list = await fetchAll({ sort: sort.value, order: order.value, ...(state.value !== 'live' ? { state: state.value } : {}), ...(f ? { filter: f } : {}) })
    if (mine !== seq) return
    rows.value = list
    rowIndex = new Map(list.map((d, i) => [d.endpoint, i]))
  }

  async function load(): Promise<void> {
    loading.value = true
    try {
      const live = await fetchAll({})
      byEndpoint.value = new Map(live.map((d) => [d.endpoint, d]))
      await loadRows()
      error.value = null
    } catch (e) {
      // A headless instance started with --no-coap has no server: say so instead of failing.
      error.value = (e as Error).message
    } finally {
      loading.value = false
    }
  }

  let refetch: ReturnType<typeof setTimeout> | undefined
  let lastRefetch = 0
  /** A lone registration shows at once; a burst refetches at most once per REFETCH_MS. */
  function refetchSoon(): void {
    refetch ??= setTimeout(
      () => {
        refetch = undefined
        lastRefetch = Date.now()
        void loadRows().catch((e: Error) => (error.value = e.message))
      },
      Math.max(50, REFETCH_MS - (Date.now() - lastRefetch))
    )
  }

  let copyPending = 0
  function put(d: DeviceSummary, joined: boolean): void {
    byEndpoint.value.set(d.endpoint, d)
    triggerRef(byEndpoint)
    const i = rowIndex.get(d.endpoint)
    if (i !== undefined && state.value === 'live') {
      rows.value[i] = d
      // One new array per frame however many updates arrive (the table sees a new array, not a mutation).
      copyPending ||= requestAnimationFrame(() => {
        copyPending = 0
        rows.value = rows.value.slice()
      })
    }
    if (joined) refetchSoon()
  }

  backend.on('devices.registered', (e) => put(e.device, true))
  backend.on('devices.updated', (e) => put(e.device, false))
  backend.on('devices.deregistered', (e) => {
    if (byEndpoint.value.delete(e.endpoint)) triggerRef(byEndpoint)
    refetchSoon()
  })
  backend.on('devices.queue', (e) => {
    const d = byEndpoint.value.get(e.endpoint)
    if (d) put({ ...d, pending: e.queue.length }, false)
  })

  /** Sorts by a column; the same column again flips the order. */
  function sortBy(key: DeviceSortKey): void {
    if (sort.value === key) order.value = order.value === 'asc' ? 'desc' : 'asc'
    else {
      sort.value = key
      order.value = 'asc'
    }
  }

  let typing: ReturnType<typeof setTimeout> | undefined
  watch(filter, () => {
    clearTimeout(typing)
    typing = setTimeout(() => void loadRows().catch((e: Error) => (error.value = e.message)), 60)
  })
  watch([sort, order], () => void loadRows().catch((e: Error) => (error.value = e.message)))
  // Another state is another list: never show live rows under the "expired" heading while it loads.
  watch(state, () => {
    rows.value = []
    rowIndex = new Map()
    void loadRows().catch((e: Error) => (error.value = e.message))
  })
  watch(() => connection.generation, () => void load(), { immediate: true })
  return { byEndpoint, rows, filter, sort, order, state, error, loading, now, load, sortBy }
})
