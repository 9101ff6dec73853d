// SPDX-License-Identifier: Apache-2.0
// DTLS credentials (keys come masked) and handshake records for the Security view and the device
// page's security panel (issue 15 items 3 and 6).
import type { CredentialDto, CredentialReview, HandshakeDto } from '@contract/security'
import type { Params } from '@contract/methods'
import { defineStore } from 'pinia'
import { ref, shallowRef, watch } from 'vue'
import { BackendError, useBackend } from '../backend'
import { useConnectionStore } from './useConnectionStore'

export type CredentialInput = Params<'security.put'>
const KEPT = 500
const SHOWN = 200

export const useSecurityStore = defineStore('security', () => {
  const backend = useBackend()
  const connection = useConnectionStore()
  const credentials = shallowRef<CredentialDto[]>([])
  /** Shown: the first SHOWN matching `filter`; `total` says how many match. */
  const filter = ref('')
  const total = ref(0)
  const unreadable = shallowRef<string[]>([])
  const handshakes = shallowRef<HandshakeDto[]>([])
  const nextCursor = ref<number | null>(null)
  /** Only failed handshakes in the list. */
  const failedOnly = ref(false)
  const error = ref<string | null>(null)

  async function load(): Promise<void> {
    try {
      const list = await backend.call('security.list', { limit: SHOWN, ...(filter.value.trim() ? { filter: filter.value.trim() } : {}) })
      credentials.value = list.credentials
      total.value = list.total
      unreadable.value = list.unreadable
      const page = await backend.call('security.handshakes', { limit: 100, ...(failedOnly.value ? { outcome: 'failed' as const } : {}) })
      handshakes.value = [...page.handshakes]
      nextCursor.value = page.nextCursor
      error.value = null
    } catch (e) {
      error.value = (e as Error).message
    }
  }

  async function more(): Promise<void> {
    if (nextCursor.value === null) return
    const page = await backend.call('security.handshakes', { limit: 100, cursor: nextCursor.value, ...(failedOnly.value ? { outcome: 'failed' as const } : {}) })
    handshakes.value = [...handshakes.value, ...page.handshakes]
    nextCursor.value = page.nextCursor
  }

  /** One endpoint's newest handshakes (the device page). */
  async function forEndpoint(endpoint: string, limit = 5): Promise<{ credentials: CredentialDto[]; handshakes: HandshakeDto[] }> {
    const [c, h] = await Promise.all([backend.call('security.list', { endpoint }), backend.call('security.handshakes', { endpoint, limit })])
    return { credentials: c.credentials, handshakes: [...h.handshakes] }
  }

  /** The service's review of the input, per field; null when it cannot answer. */
  async function check(input: CredentialInput): Promise<CredentialReview | null> {
    try {
      return await backend.call('security.check', input)
    } catch {
      return null
    }
  }

  /** Saves; null, or what was refused (message and per-field problems). */
  async function save(input: CredentialInput): Promise<{ message: string; fields: Record<string, string> } | null> {
    try {
      await backend.call('security.put', input)
      await load()
      return null
    } catch (e) {
      const fields = e instanceof BackendError ? ((e.details as { fields?: Record<string, string> } | undefined)?.fields ?? {}) : {}
      return { message: (e as Error).message, fields }
    }
  }

  async function remove(endpoint: string, role: 'server' | 'bootstrap'): Promise<void> {
    await backend.call('security.delete', { endpoint, role })
    await load()
  }

  // A factory line bootstraps many devices a minute, each putting a credential: reload once per burst.
  let reloading: ReturnType<typeof setTimeout> | undefined
  backend.on('security.changed', () => {
    clearTimeout(reloading)
    reloading = setTimeout(() => void load(), 150)
  })
  backend.on('security.handshake', ({ handshakes: batch }) => {
    const fresh = failedOnly.value ? batch.filter((h) => h.outcome === 'failed') : batch
    handshakes.value = [...[...fresh].reverse(), ...handshakes.value].slice(0, KEPT)
  })
  watch(() => connection.generation, () => void load(), { immediate: true })
  watch(failedOnly, () => void load())
  let typing: ReturnType<typeof setTimeout> | undefined
  watch(filter, () => {
    clearTimeout(typing)
    typing = setTimeout(() => void load(), 150)
  })
  return { failedOnly, filter, total, unreadable, credentials, handshakes, nextCursor, error, load, more, forEndpoint, check, save, remove }
})
