// SPDX-License-Identifier: Apache-2.0
// Smart cards (cards.*): readers kept current from `cards.changed`, write progress from
// `cards.progress`, and the write records. A read's result is kept by the view that asked.
import type { CardBootstrapDto, CardReaderDto, CardWriteDto, CardWriteRecordDto } from '@contract/cards'
import type { Params } from '@contract/methods'
import { defineStore } from 'pinia'
import { ref, shallowRef, watch } from 'vue'
import { useBackend } from '../backend'
import { useConnectionStore } from './useConnectionStore'

export const useCardsStore = defineStore('cards', () => {
  const backend = useBackend()
  const connection = useConnectionStore()
  const readers = shallowRef<CardReaderDto[]>([])
  const available = ref(true)
  const detail = ref('')
  const records = shallowRef<CardWriteRecordDto[]>([])
  const progress = ref<{ reader: string; done: number; total: number; step: string } | null>(null)
  const error = ref<string | null>(null)

  async function load(): Promise<void> {
    try {
      const r = await backend.call('cards.readers', {})
      readers.value = r.readers
      available.value = r.available
      detail.value = r.detail
      records.value = (await backend.call('cards.records', { limit: 50 })).records
      error.value = null
    } catch (e) {
      error.value = `Cannot reach the card readers: ${(e as Error).message}`
    }
  }

  async function read(p: Params<'cards.readBootstrap'>): Promise<CardBootstrapDto> {
    return backend.call('cards.readBootstrap', p)
  }

  async function write(p: Params<'cards.writeBootstrap'>): Promise<CardWriteDto> {
    progress.value = { reader: p.reader, done: 0, total: 1, step: 'starting' }
    try {
      return await backend.call('cards.writeBootstrap', p)
    } finally {
      records.value = (await backend.call('cards.records', { limit: 50 }).catch(() => ({ records: records.value }))).records
    }
  }

  async function apdu(p: Params<'cards.apdu'>) {
    return backend.call('cards.apdu', p)
  }

  backend.on('cards.changed', ({ readers: r }) => {
    readers.value = r
    available.value = true
  })
  backend.on('cards.progress', (p) => {
    progress.value = p
  })
  watch(() => connection.generation, () => void load(), { immediate: true })
  return { readers, available, detail, records, progress, error, load, read, write, apdu }
})
