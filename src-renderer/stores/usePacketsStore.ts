// SPDX-License-Identifier: Apache-2.0
// The Packets view's state. The capture may hold a million frames: the list is a window cache
// behind an array-like proxy, so the virtual list asks for row i and the page holding it is
// fetched on demand (capture.list with cursor = match index). Live frames only move the count
// (and, when following, the view to the end); nothing here keeps a row per frame.
import type { CaptureFrameDetail, CaptureFrameDto } from '@contract/capture'
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { BackendError, errorText, useBackend } from '../backend'

// Large pages: each answer re-renders the visible rows once, so fewer, bigger answers scroll
// smoother than many small ones (1000 rows are about 300 kB of JSON).
const PAGE = 1000
/** Pages kept; the least recently fetched go first. */
const MAX_PAGES = 50

export const PLACEHOLDER: CaptureFrameDto = {
  id: 0, at: 0, direction: 'none', transport: '', src: '', dst: '', endpoint: null, op: null, code: null,
  summary: '…', size: 0, rtt: null, retransmission: false, notification: false, pair: null
}

export const usePacketsStore = defineStore('packets', () => {
  const backend = useBackend()
  const filter = ref('')
  const filterError = ref<{ column: number; message: string } | null>(null)
  const error = ref<string | null>(null)
  const matched = ref(0)
  const total = ref(0)
  const follow = ref(true)
  const paused = ref(false)
  const selected = ref<number | null>(null)
  /** A slow filter (text~) is still going through the capture. */
  const scanning = ref(false)
  const detail = shallowRef<CaptureFrameDetail | null>(null)
  /** Bumped whenever rows change, so the list re-reads them. */
  const rows = shallowRef<readonly CaptureFrameDto[]>([])

  let pages = new Map<number, CaptureFrameDto[]>()
  const loading = new Set<number>()
  let generation = 0

  function rebuildRows(): void {
    const n = matched.value
    rows.value = new Proxy([] as CaptureFrameDto[], {
      get(target, key) {
        if (key === 'length') return n
        if (typeof key === 'string' && /^[0-9]+$/.test(key)) {
          const i = Number(key)
          const page = pages.get(Math.floor(i / PAGE))
          const row = page?.[i % PAGE]
          if (row === undefined && i < n) want(Math.floor(i / PAGE))
          // Near a page's end, the next one is asked for before it is needed.
          else if (i % PAGE > PAGE * 0.7 && (i / PAGE + 1) * PAGE < n && !pages.has(Math.floor(i / PAGE) + 1)) want(Math.floor(i / PAGE) + 1)
          return row ?? PLACEHOLDER
        }
        return Reflect.get(target, key)
      }
    })
  }

  function want(page: number): void {
    if (loading.has(page)) return
    loading.add(page)
    const mine = generation
    // Fetched after the render that asked, so many rows of one page cost one call.
    queueMicrotask(() => {
      void backend.call('capture.list', { cursor: page * PAGE, limit: PAGE, ...(filter.value.trim() ? { filter: filter.value.trim() } : {}) }).then(
        (r) => {
          loading.delete(page)
          if (mine !== generation) return
          if (pages.size >= MAX_PAGES) pages.delete(pages.keys().next().value as number)
          pages.set(page, r.frames as CaptureFrameDto[])
          matched.value = r.matched ?? matched.value
          total.value = r.total
          rebuildRows()
        },
        (e: unknown) => {
          loading.delete(page)
          error.value = errorText(e)
        }
      )
    })
  }

  /** Starts over with the current filter: counts the matches, drops cached pages. */
  async function load(): Promise<void> {
    generation++
    pages = new Map()
    loading.clear()
    const f = filter.value.trim()
    try {
      const r = await backend.call('capture.list', { cursor: 0, limit: PAGE, ...(f ? { filter: f } : {}) })
      filterError.value = null
      error.value = null
      pages.set(0, r.frames as CaptureFrameDto[])
      matched.value = r.matched ?? r.frames.length
      total.value = r.total
      // A slow filter answers in steps: ask again until it has been through the whole capture.
      scanning.value = r.matched === null
      if (r.matched === null) setTimeout(() => void (filter.value.trim() === f ? load() : undefined), 200)
      const s = await backend.call('capture.settings.get', {})
      paused.value = s.paused
    } catch (e) {
      if (e instanceof BackendError && e.code === 'capture.invalid_filter') {
        filterError.value = e.details as { column: number; message: string }
        matched.value = 0
      } else error.value = errorText(e)
    }
    rebuildRows()
  }

  let recount: ReturnType<typeof setTimeout> | undefined
  /**
   * New live frames: the server says how many now match (the filter, and one copy of a datagram
   * both ends of which are ours), at most 4 times a second; the last page is fetched again.
   */
  function onFrames(): void {
    recount ??= setTimeout(() => {
      recount = undefined
      const f = filter.value.trim()
      const last = Math.floor(matched.value / PAGE)
      void backend.call('capture.list', { cursor: last * PAGE, limit: PAGE, ...(f ? { filter: f } : {}) }).then((r) => {
        pages.set(last, r.frames as CaptureFrameDto[])
        matched.value = r.matched ?? matched.value
        total.value = r.total
        rebuildRows()
      }, () => undefined)
    }, 250)
  }

  async function open(id: number): Promise<void> {
    selected.value = id
    try {
      detail.value = await backend.call('capture.get', { id })
    } catch (e) {
      detail.value = null
      error.value = errorText(e)
    }
  }

  async function setPaused(p: boolean): Promise<void> {
    const s = await backend.call('capture.settings.set', { paused: p })
    paused.value = s.paused
  }

  async function clear(): Promise<void> {
    await backend.call('capture.clear', {})
    detail.value = null
    selected.value = null
    await load()
  }

  backend.on('capture.frames', onFrames)
  return { filter, filterError, error, matched, total, follow, paused, selected, detail, rows, scanning, load, open, setPaused, clear }
})
