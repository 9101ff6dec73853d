// SPDX-License-Identifier: Apache-2.0
// What the Electron preload exposes to the renderer as `window.workbench`: two functions, nothing
// else. The renderer's backend/ipc-client.ts is its only user.
import type { Outcome } from './errors'

export const IPC_INVOKE_CHANNEL = 'contract:invoke'
export const IPC_EVENT_CHANNEL = 'contract:event'

export interface BridgeApi {
  invoke(method: string, params: unknown): Promise<Outcome<unknown>>
  /** Subscribes to one event; returns the unsubscribe function. */
  on(event: string, listener: (payload: unknown) => void): () => void
}
