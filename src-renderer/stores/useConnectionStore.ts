// SPDX-License-Identifier: Apache-2.0
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { useBackend, type ConnectionState } from '../backend'

export const useConnectionStore = defineStore('connection', () => {
  const backend = useBackend()
  const state = ref<ConnectionState>('connecting')
  const detail = ref('')
  const carrier = ref(backend.carrier)
  /** Bumps on every (re)connection, so stores can reload what they show. */
  const generation = ref(0)
  backend.onState((s, d) => {
    if (s === 'connected' && state.value !== 'connected') generation.value++
    state.value = s
    detail.value = d
  })
  return { state, detail, carrier, generation }
})
