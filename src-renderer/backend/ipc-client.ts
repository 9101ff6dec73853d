// SPDX-License-Identifier: Apache-2.0
import type { BridgeApi } from '@contract/bridge'
import { BackendError, type BackendClient } from './client'

export function createIpcClient(bridge: BridgeApi): BackendClient {
  return {
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
    }
  }
}
