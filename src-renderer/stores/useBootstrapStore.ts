// SPDX-License-Identifier: Apache-2.0
import type { BootstrapConfig, BootstrapConfigEntry, BootstrapConfigReview, BootstrapRunDto } from '@contract/bootstrap'
import { defineStore } from 'pinia'
import { ref, shallowRef, watch } from 'vue'
import { BackendError, useBackend } from '../backend'
import { useConnectionStore } from './useConnectionStore'

export const useBootstrapStore = defineStore('bootstrap', () => {
  const backend = useBackend()
  const connection = useConnectionStore()
  const configs = shallowRef<BootstrapConfigEntry[]>([])
  const runs = shallowRef<BootstrapRunDto[]>([])
  const error = ref<string | null>(null)

  async function load(): Promise<void> {
    try {
      configs.value = (await backend.call('bootstrap.configs.list', {})).configs
      runs.value = (await backend.call('bootstrap.runs.list', { limit: 200 })).runs
      error.value = null
    } catch (e) {
      error.value = (e as Error).message
    }
  }

  /** Saves; returns null or the reason the server refused it (with the problems listed). */
  async function save(config: BootstrapConfig): Promise<string | null> {
    try {
      await backend.call('bootstrap.configs.put', { config: config as never })
      await load()
      return null
    } catch (e) {
      if (e instanceof BackendError) {
        const d = e.details as { problems?: string[]; issues?: { at: string; message: string }[] } | undefined
        const list = d?.problems ?? d?.issues?.map((i) => `${i.at} ${i.message}`) ?? []
        return list.length ? list.join('\n') : e.message
      }
      return (e as Error).message
    }
  }

  /** Problems (which block saving and runs) and warnings, from the service's rule; null if it cannot answer. */
  async function check(config: BootstrapConfig): Promise<BootstrapConfigReview | null> {
    try {
      return await backend.call('bootstrap.configs.check', { config: config as never })
    } catch {
      return null
    }
  }

  /** Our JSON (one or an array) or Leshan's bootstrap file; returns null or the reason it failed. */
  async function importJson(json: unknown): Promise<{ error: string | null; problems: string[] }> {
    try {
      const r = await backend.call('bootstrap.configs.import', { json: json as never })
      await load()
      return { error: null, problems: r.problems }
    } catch (e) {
      return { error: (e as Error).message, problems: [] }
    }
  }

  /** Renames on the server in one step; returns null or the reason it was refused. */
  async function rename(from: string, to: string): Promise<string | null> {
    try {
      await backend.call('bootstrap.configs.rename', { from, to })
      return null
    } catch (e) {
      return (e as Error).message
    }
  }

  async function remove(endpoint: string): Promise<void> {
    await backend.call('bootstrap.configs.delete', { endpoint })
    await load()
  }

  backend.on('bootstrap.progress', ({ run }) => {
    runs.value = [run, ...runs.value.filter((r) => r.id !== run.id)].slice(0, 200)
  })
  watch(() => connection.generation, () => void load(), { immediate: true })
  return { configs, runs, error, load, save, check, rename, remove, importJson }
})
