// SPDX-License-Identifier: Apache-2.0
// The Electron carrier: the preload's bridge. Capture files go by path, which the main process
// opens itself: the file the user picked (its path from the preload) and, for saving, the path
// the main process's save dialog returns.
import type { BridgeApi } from '@contract/bridge'
import { BackendError, type BackendClient } from './client'

/** "IDENTITY:HEXKEY": the identity may hold colons, the key cannot (the import dialog's rule). */
function pskOf(line: string): { identity: string; key: string } {
  const at = line.lastIndexOf(':')
  return { identity: line.slice(0, at), key: line.slice(at + 1) }
}

export function createIpcClient(bridge: BridgeApi): BackendClient {
  const client: BackendClient = {
    carrier: 'ipc',
    async call(method, params) {
      const outcome = await bridge.invoke(method, params)
      if (!outcome.ok) throw new BackendError(outcome.error)
      return outcome.result as never
    },
    on(event, listener) {
      return bridge.on(event, listener as (p: unknown) => void)
    },
    onState(listener) {
      listener('connected', 'Electron IPC')
      return () => {}
    },
    async importCapture(file, secrets) {
      const path = bridge.pathForFile(file)
      if (!path) throw new Error(`${file.name} is not a file on this machine; save it to disk and open it from there`)
      const psk = (secrets.psk ?? []).map(pskOf)
      return client.call('capture.import', { path, ...(secrets.keylog ? { keylog: await secrets.keylog.text() } : {}), ...(psk.length ? { psk } : {}) })
    },
    async exportCapture(format, filter) {
      const path = await bridge.chooseSavePath(`capture.${format}`)
      if (path === null) return null
      await client.call('capture.export', { path, format, ...(filter ? { filter } : {}) })
      return path
    }
  }
  return client
}
