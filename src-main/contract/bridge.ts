// SPDX-License-Identifier: Apache-2.0
// What the Electron preload exposes to the renderer as `window.workbench`: the contract's invoke and
// on, and the two file helpers capture files need (the sandboxed renderer has no paths and no save
// dialog). The renderer's backend/ipc-client.ts is its only user.
import type { Outcome } from './errors'

export const IPC_INVOKE_CHANNEL = 'contract:invoke'
export const IPC_EVENT_CHANNEL = 'contract:event'
export const IPC_SAVE_DIALOG_CHANNEL = 'dialog:save'

export interface BridgeApi {
  invoke(method: string, params: unknown): Promise<Outcome<unknown>>
  /** Subscribes to one event; returns the unsubscribe function. */
  on(event: string, listener: (payload: unknown) => void): () => void
  /**
   * Where a file the user picked (a DOM File: the contract is compiled without the DOM) lies on
   * this machine, '' when it has no path; for capture.import.
   */
  pathForFile(file: object): string
  /** The main process's save dialog; the chosen path, or null when the user cancelled. */
  chooseSavePath(suggestedName: string): Promise<string | null>
}
