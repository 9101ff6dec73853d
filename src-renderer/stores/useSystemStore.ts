// SPDX-License-Identifier: Apache-2.0
import type { SystemInfo } from '@contract/system'
import { defineStore } from 'pinia'
import { ref, watch } from 'vue'
import { useBackend } from '../backend'
import { useConnectionStore } from './useConnectionStore'

export const useSystemStore = defineStore('system', () => {
  const backend = useBackend()
  const connection = useConnectionStore()
  const info = ref<SystemInfo | null>(null)
  const error = ref<string | null>(null)
  const loading = ref(false)

  async function load(): Promise<void> {
    loading.value = true
    try {
      info.value = await backend.call('system.info', {})
      error.value = null
    } catch (e) {
      error.value = (e as Error).message
    } finally {
      loading.value = false
    }
  }

  watch(() => connection.generation, () => void load(), { immediate: true })
  return { info, error, loading, load }
})
