// SPDX-License-Identifier: Apache-2.0
import type { SettingKey, Settings } from '@contract/settings'
import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import { useBackend } from '../backend'
import { useConnectionStore } from './useConnectionStore'

const DEFAULTS: Settings = {
  'ui.theme': 'system',
  'ui.density': 'compact',
  'models.folders': [],
  'server.queueAwakeSeconds': 93,
  'server.requestTimeoutSeconds': 30,
  'server.maxRegistrations': 100_000,
  'server.historyMinutes': 60,
  'dtls.keyLog': false,
  'capture.maxMegabytes': 256,
  'capture.coapPorts': [5683, 5684, 5783, 5784],
  'capture.cidLength': 0
}

export const useSettingsStore = defineStore('settings', () => {
  const backend = useBackend()
  const connection = useConnectionStore()
  const values = ref<Settings>({ ...DEFAULTS })
  const error = ref<string | null>(null)
  const prefersDark = ref(window.matchMedia('(prefers-color-scheme: dark)').matches)
  window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', (e) => (prefersDark.value = e.matches))

  const dark = computed(() =>
    values.value['ui.theme'] === 'system' ? prefersDark.value : values.value['ui.theme'] === 'dark'
  )

  async function load(): Promise<void> {
    try {
      const r = await backend.call('settings.get', {})
      values.value = { ...DEFAULTS, ...r.settings }
      error.value = null
    } catch (e) {
      error.value = (e as Error).message
    }
  }

  async function set<K extends SettingKey>(key: K, value: Settings[K]): Promise<void> {
    const before = values.value[key]
    values.value = { ...values.value, [key]: value } // optimistic: the UI reacts at once
    try {
      await backend.call('settings.set', { key, value: value as never })
    } catch (e) {
      values.value = { ...values.value, [key]: before }
      error.value = (e as Error).message
      throw e
    }
  }

  // Another window or a CLI call changed a setting.
  backend.on('settings.changed', ({ key, value }) => {
    values.value = { ...values.value, [key]: value } as Settings
  })
  watch(() => connection.generation, () => void load(), { immediate: true })
  watch(
    dark,
    (d) => {
      document.documentElement.classList.toggle('dark', d)
      document.documentElement.style.colorScheme = d ? 'dark' : 'light'
    },
    { immediate: true }
  )
  return { values, error, dark, load, set }
})
