// SPDX-License-Identifier: Apache-2.0
// The live device list: fetched in pages, then kept current by registration events. Entries are
// replaced, never mutated, and the list lives in a shallowRef so 10 000 devices stay cheap.
import type { DeviceSummary } from '@contract/devices'
import { defineStore } from 'pinia'
import { computed, ref, shallowRef, triggerRef, watch } from 'vue'
import { useBackend } from '../backend'
import { useConnectionStore } from './useConnectionStore'

const PAGE = 1000

export const useDevicesStore = defineStore('devices', () => {
  const backend = useBackend()
  const connection = useConnectionStore()
  const byEndpoint = shallowRef(new Map<string, DeviceSummary>())
  const filter = ref('')
  const error = ref<string | null>(null)
  const loading = ref(false)
  /** Ticks every second for lifetime countdowns and "last seen" texts. */
  const now = ref(Date.now())
  setInterval(() => (now.value = Date.now()), 1000)

  const list = computed(() => {
    const f = filter.value.trim().toLowerCase()
    const all = [...byEndpoint.value.values()]
    const shown = f ? all.filter((d) => d.endpoint.toLowerCase().includes(f) || d.address.includes(f)) : all
    return shown.sort((a, b) => a.endpoint.localeCompare(b.endpoint))
  })

  async function load(): Promise<void> {
    loading.value = true
    try {
      const next = new Map<string, DeviceSummary>()
      for (let cursor = 0; ; cursor += PAGE) {
        const page = await backend.call('devices.list', { cursor, limit: PAGE })
        for (const d of page.devices) next.set(d.endpoint, d)
        if (cursor + PAGE >= page.total) break
      }
      byEndpoint.value = next
      error.value = null
    } catch (e) {
      // A headless instance started with --no-coap has no server: say so instead of failing.
      error.value = (e as Error).message
    } finally {
      loading.value = false
    }
  }

  function put(d: DeviceSummary): void {
    byEndpoint.value.set(d.endpoint, d)
    triggerRef(byEndpoint)
  }

  backend.on('devices.registered', (e) => put(e.device))
  backend.on('devices.updated', (e) => put(e.device))
  backend.on('devices.deregistered', (e) => {
    if (byEndpoint.value.delete(e.endpoint)) triggerRef(byEndpoint)
  })
  backend.on('devices.queue', (e) => {
    const d = byEndpoint.value.get(e.endpoint)
    if (d) put({ ...d, pending: e.queue.length })
  })
  watch(() => connection.generation, () => void load(), { immediate: true })
  return { byEndpoint, list, filter, error, loading, now, load }
})
