// SPDX-License-Identifier: Apache-2.0
// system.overview, kept fresh: asked again shortly after registrations or bootstrap runs change
// (at most once a second, however many arrive) and every 10 s for the time-based counts.
import type { SystemOverview } from '@contract/system'
import { defineStore } from 'pinia'
import { ref, shallowRef, watch } from 'vue'
import { useBackend } from '../backend'
import { useConnectionStore } from './useConnectionStore'

export const useOverviewStore = defineStore('overview', () => {
  const backend = useBackend()
  const connection = useConnectionStore()
  const data = shallowRef<SystemOverview | null>(null)
  const error = ref<string | null>(null)

  async function load(): Promise<void> {
    try {
      data.value = await backend.call('system.overview', {})
      error.value = null
    } catch (e) {
      error.value = (e as Error).message
    }
  }

  let soon: ReturnType<typeof setTimeout> | undefined
  function loadSoon(): void {
    soon ??= setTimeout(() => {
      soon = undefined
      void load()
    }, 1000)
  }
  backend.on('devices.registered', loadSoon)
  backend.on('devices.deregistered', loadSoon)
  backend.on('bootstrap.progress', (e) => e.change === 'finished' && loadSoon())
  setInterval(() => void load(), 10_000)
  watch(() => connection.generation, () => void load(), { immediate: true })
  return { data, error, load }
})
