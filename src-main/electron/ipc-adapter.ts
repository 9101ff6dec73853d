// SPDX-License-Identifier: Apache-2.0
// The Electron carrier: one ipcMain.handle onto the dispatcher, and contract events forwarded to
// every window. Written against the small slice of Electron it uses, so that the contract test can
// drive it without the Electron binary (which cannot run on the build machines).
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL, IPC_SAVE_DIALOG_CHANNEL } from '../contract/bridge'
import type { Outcome } from '../contract/errors'
import type { Dispatcher } from '../services/dispatcher'
import type { EventHub } from '../services/event-hub'

export interface IpcEventLike {
  readonly senderFrame: { readonly url: string } | null
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => Promise<unknown>): void
  removeHandler(channel: string): void
}

export interface WebContentsLike {
  send(channel: string, ...args: unknown[]): void
  isDestroyed(): boolean
}

/** Answers invokes from trusted frames only (our app:// pages or the dev server). */
export function attachIpc(
  ipcMain: IpcMainLike,
  dispatcher: Dispatcher,
  isTrustedFrame: (url: string) => boolean
): () => void {
  ipcMain.handle(IPC_INVOKE_CHANNEL, async (event, method, params): Promise<Outcome<unknown>> => {
    const url = event.senderFrame?.url ?? ''
    if (!isTrustedFrame(url))
      return { ok: false, error: { code: 'rpc.invalid_request', message: `calls from ${url || 'an unknown frame'} are not accepted` } }
    return dispatcher.dispatch(method, params, { carrier: 'ipc' })
  })
  return () => ipcMain.removeHandler(IPC_INVOKE_CHANNEL)
}

/**
 * The save dialog for capture files, asked by trusted frames only. `show` gets a plain file name
 * (any directory part the renderer sent is dropped) and resolves with the chosen path or null.
 */
export function attachSaveDialog(ipcMain: IpcMainLike, show: (suggestedName: string) => Promise<string | null>, isTrustedFrame: (url: string) => boolean): () => void {
  ipcMain.handle(IPC_SAVE_DIALOG_CHANNEL, async (event, suggested) => {
    if (!isTrustedFrame(event.senderFrame?.url ?? '')) return null
    const name = String(suggested ?? '').split(/[\\/]/).pop() || 'capture.pcapng'
    return show(name)
  })
  return () => ipcMain.removeHandler(IPC_SAVE_DIALOG_CHANNEL)
}

/** Sends every contract event to the given windows' renderers. */
export function forwardEvents(events: EventHub, targets: () => Iterable<WebContentsLike>): () => void {
  return events.subscribe((name, payload) => {
    for (const wc of targets()) if (!wc.isDestroyed()) wc.send(IPC_EVENT_CHANNEL, name, payload)
  })
}
