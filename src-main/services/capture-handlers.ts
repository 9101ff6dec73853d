// SPDX-License-Identifier: Apache-2.0
// The capture.* methods of the dispatcher table (issue 16 item 8).
import type { CaptureStatusDto } from '../contract/capture'
import { ServiceError } from '../contract/errors'
import type { HandlerTable } from './dispatcher'
import { exportCaptureFile, importCaptureFile } from './capture-files'
import type { CaptureService } from './capture-service'

type CaptureMethods = 'capture.list' | 'capture.get' | 'capture.import' | 'capture.export' | 'capture.clear' | 'capture.settings.get' | 'capture.settings.set'

export function captureStatus(capture: CaptureService): CaptureStatusDto {
  return { total: capture.store.count, dropped: capture.store.dropped, bytes: capture.store.byteSize, paused: capture.paused }
}

export function captureHandlers(capture: CaptureService): Pick<HandlerTable, CaptureMethods> {
  return {
    'capture.list': (p) => capture.list(p),
    'capture.get': (p) => capture.get(p.id),
    'capture.import': (p) => {
      if (p.psk !== undefined) throw new ServiceError('capture.file', 'decrypting imported DTLS with a PSK is not available yet; pass the session key log (keylog) instead')
      const r = importCaptureFile(capture, p.path, p.keylog !== undefined ? { keylog: p.keylog } : {})
      return { frames: r.frames, packets: r.packets, skipped: r.skipped, firstId: r.firstId, lastId: r.lastId, stop: r.stop }
    },
    'capture.export': (p) => exportCaptureFile(capture, p.path, p.format, p.filter !== undefined ? { filter: p.filter } : {}),
    'capture.clear': () => {
      capture.clear()
      return captureStatus(capture)
    },
    'capture.settings.get': () => ({ ...capture.settings(), ...captureStatus(capture) }),
    'capture.settings.set': (p) => ({ ...capture.setSettings(p), ...captureStatus(capture) })
  }
}
