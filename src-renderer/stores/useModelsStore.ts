// SPDX-License-Identifier: Apache-2.0
import type { ModelDetail, ModelsOverview } from '@contract/models'
import { defineStore } from 'pinia'
import { ref, shallowRef, watch } from 'vue'
import { useBackend } from '../backend'
import { useConnectionStore } from './useConnectionStore'

export const useModelsStore = defineStore('models', () => {
  const backend = useBackend()
  const connection = useConnectionStore()
  // The list is replaced whole, never edited: shallowRef keeps 400 objects out of deep reactivity.
  const overview = shallowRef<ModelsOverview | null>(null)
  const query = ref('')
  const detail = shallowRef<ModelDetail | null>(null)
  const error = ref<string | null>(null)
  const busy = ref(false)
  let seq = 0

  async function search(): Promise<void> {
    const mine = ++seq
    try {
      const r = await backend.call('models.list', query.value ? { query: query.value } : {})
      if (mine === seq) overview.value = r // a slower, older answer must not overwrite a newer one
      error.value = null
    } catch (e) {
      error.value = (e as Error).message
    }
  }

  async function open(id: number, version?: string): Promise<void> {
    try {
      detail.value = await backend.call('models.get', version ? { id, version } : { id })
      error.value = null
    } catch (e) {
      error.value = (e as Error).message
    }
  }

  async function folderAction(method: 'models.addFolder' | 'models.removeFolder', folder: string): Promise<boolean> {
    busy.value = true
    try {
      await backend.call(method, { folder })
      error.value = null
      await search()
      return true
    } catch (e) {
      error.value = (e as Error).message
      return false
    } finally {
      busy.value = false
    }
  }

  backend.on('models.changed', () => void search())
  watch(() => connection.generation, () => void search(), { immediate: true })
  return {
    overview,
    query,
    detail,
    error,
    busy,
    search,
    open,
    addFolder: (f: string) => folderAction('models.addFolder', f),
    removeFolder: (f: string) => folderAction('models.removeFolder', f)
  }
})
