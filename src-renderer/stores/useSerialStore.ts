// SPDX-License-Identifier: Apache-2.0
// Serial lines (serial.*): the system's ports (hot-plug arrives as serial.portsChanged), the open
// lines, and per line the console lines and decoded CoAP frames as serial.data brings them.
import type { Params } from '@contract/methods'
import type { ConsoleLineDto, OpenSerialPortDto, SerialFrameDto, SerialPortDto } from '@contract/serial'
import { defineStore } from 'pinia'
import { ref, shallowRef, watch } from 'vue'
import { useBackend } from '../backend'
import { useConnectionStore } from './useConnectionStore'

/** Per line, what the view keeps (the terminal itself holds its scrollback). */
const MAX_FRAMES = 500

export const useSerialStore = defineStore('serial', () => {
  const backend = useBackend()
  const connection = useConnectionStore()
  const ports = shallowRef<SerialPortDto[]>([])
  const open = shallowRef<OpenSerialPortDto[]>([])
  const frames = shallowRef<Record<string, SerialFrameDto[]>>({})
  const closedReasons = ref<Record<string, string>>({})
  const error = ref<string | null>(null)
  const loaded = ref(false)
  /** Console lines go straight to whoever shows them (the terminal), not into reactive state. */
  const lineListeners = new Set<(path: string, lines: readonly ConsoleLineDto[]) => void>()

  async function load(): Promise<void> {
    try {
      const r = await backend.call('serial.ports', {})
      ports.value = r.ports
      open.value = r.open
      error.value = null
    } catch (e) {
      error.value = `Cannot list serial ports: ${(e as Error).message}`
    } finally {
      loaded.value = true
    }
  }

  async function openPort(p: Params<'serial.open'>): Promise<OpenSerialPortDto> {
    const line = await backend.call('serial.open', p)
    open.value = [...open.value.filter((o) => o.path !== line.path), line]
    const { [line.path]: _gone, ...rest } = closedReasons.value
    closedReasons.value = rest
    return line
  }

  async function closePort(path: string): Promise<void> {
    await backend.call('serial.close', { path })
    open.value = open.value.filter((o) => o.path !== path)
  }

  /** The console so far (for a terminal that starts showing a line), and its recent frames. */
  async function history(path: string): Promise<ConsoleLineDto[]> {
    const page = await backend.call('serial.console', { path, limit: 5000 })
    frames.value = { ...frames.value, [path]: page.frames }
    return page.lines
  }

  function onLines(listener: (path: string, lines: readonly ConsoleLineDto[]) => void): () => void {
    lineListeners.add(listener)
    return () => void lineListeners.delete(listener)
  }

  backend.on('serial.portsChanged', ({ ports: list }) => {
    ports.value = list
  })
  backend.on('serial.data', ({ path, lines, frames: f, counters, endpoint }) => {
    if (counters) open.value = open.value.map((o) => (o.path === path ? { ...o, counters, endpoint: endpoint ?? o.endpoint } : o))
    if (f.length > 0) frames.value = { ...frames.value, [path]: [...(frames.value[path] ?? []), ...f].slice(-MAX_FRAMES) }
    if (lines.length > 0) for (const l of lineListeners) l(path, lines)
  })
  backend.on('serial.closed', ({ path, reason }) => {
    open.value = open.value.filter((o) => o.path !== path)
    closedReasons.value = { ...closedReasons.value, [path]: reason }
  })
  watch(() => connection.generation, () => void load(), { immediate: true })
  return { ports, open, frames, closedReasons, error, loaded, load, openPort, closePort, history, onLines }
})
