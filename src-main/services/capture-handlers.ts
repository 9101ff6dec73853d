// SPDX-License-Identifier: Apache-2.0
// The capture.* methods of the dispatcher table (issue 16 item 8).
import type { CaptureImportResult, CaptureStatusDto } from '../contract/capture'
import type { HandlerTable } from './dispatcher'
import { exportCaptureFile, importCaptureFile, type ImportResult } from './capture-files'
import type { CaptureService } from './capture-service'
import type { EventHub } from './event-hub'
import type { SettingsService } from './settings-service'

const KEYS = { maxMegabytes: 'capture.maxMegabytes', coapPorts: 'capture.coapPorts', cidLength: 'capture.cidLength' } as const

/** Applies the stored capture settings now and whenever one changes (settings.set or capture.settings.set). */
export function applyCaptureSettings(capture: CaptureService, settings: SettingsService, events: EventHub): void {
  const s = settings.get(Object.values(KEYS))
  capture.setSettings({
    ...(s['capture.maxMegabytes'] !== undefined ? { maxMegabytes: s['capture.maxMegabytes'] } : {}),
    ...(s['capture.coapPorts'] !== undefined ? { coapPorts: s['capture.coapPorts'] } : {}),
    ...(s['capture.cidLength'] !== undefined ? { cidLength: s['capture.cidLength'] } : {})
  })
  events.subscribe((name, payload) => {
    if (name !== 'settings.changed') return
    const { key, value } = payload as { key: string; value: unknown }
    if (key === KEYS.maxMegabytes) capture.setSettings({ maxMegabytes: value as number })
    else if (key === KEYS.coapPorts) capture.setSettings({ coapPorts: value as number[] })
    else if (key === KEYS.cidLength) capture.setSettings({ cidLength: value as number })
  })
}

type CaptureMethods = 'capture.list' | 'capture.get' | 'capture.import' | 'capture.export' | 'capture.clear' | 'capture.settings.get' | 'capture.settings.set'

/** The contract's view of an import: counts, where reading stopped, and the DTLS sessions. */
export function importResultDto(r: ImportResult): CaptureImportResult {
  const decrypted = r.dtlsSessions.filter((s) => s.keySource !== null && s.cause === null).length
  return {
    frames: r.frames, packets: r.packets, skipped: r.skipped, firstId: r.firstId, lastId: r.lastId, stop: r.stop,
    dtls: { sessions: r.dtlsSessions.length, decrypted, list: r.dtlsSessions.slice(0, 1000) }
  }
}

export function captureStatus(capture: CaptureService): CaptureStatusDto {
  return { total: capture.store.count, dropped: capture.store.dropped, bytes: capture.store.byteSize, paused: capture.paused }
}

export function captureHandlers(capture: CaptureService, settings: SettingsService): Pick<HandlerTable, CaptureMethods> {
  return {
    'capture.list': (p) => capture.list(p),
    'capture.get': (p) => capture.get(p.id),
    'capture.import': (p) => {
      const psks = p.psk?.map((k) => ({ identity: new TextEncoder().encode(k.identity), key: Uint8Array.from(Buffer.from(k.key, 'hex')) }))
      const r = importCaptureFile(capture, p.path, { ...(p.keylog !== undefined ? { keylog: p.keylog } : {}), ...(psks ? { psks } : {}) })
      return importResultDto(r)
    },
    'capture.export': (p) => exportCaptureFile(capture, p.path, p.format, p.filter !== undefined ? { filter: p.filter } : {}),
    'capture.clear': () => {
      capture.clear()
      return captureStatus(capture)
    },
    'capture.settings.get': () => ({ ...capture.settings(), ...captureStatus(capture) }),
    'capture.settings.set': (p) => {
      // Stored (they outlive the process); the settings.changed event applies them.
      if (p.maxMegabytes !== undefined) settings.set(KEYS.maxMegabytes, p.maxMegabytes)
      if (p.coapPorts !== undefined) settings.set(KEYS.coapPorts, [...p.coapPorts])
      if (p.cidLength !== undefined) settings.set(KEYS.cidLength, p.cidLength)
      return { ...capture.setSettings(p), ...captureStatus(capture) }
    }
  }
}
