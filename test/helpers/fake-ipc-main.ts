// SPDX-License-Identifier: Apache-2.0
import type { IpcEventLike, IpcMainLike } from '../../src-main/electron/ipc-adapter'

/**
 * Stand-in for Electron's ipcMain/ipcRenderer pair. This is the one mock in these tests, at a
 * boundary nothing real can reach here: the Electron binary cannot run on these machines. It keeps
 * Electron's semantics that matter: one handler per channel, the sender frame's URL, and results
 * structured-cloned on the way back.
 */
export class FakeIpcMain implements IpcMainLike {
  handlers = new Map<string, (event: IpcEventLike, ...args: unknown[]) => Promise<unknown>>()
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => Promise<unknown>): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`)
    this.handlers.set(channel, listener)
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel)
  }
  async invoke(frameUrl: string, channel: string, ...args: unknown[]): Promise<unknown> {
    const h = this.handlers.get(channel)
    if (!h) throw new Error(`No handler registered for '${channel}'`)
    return structuredClone(await h({ senderFrame: { url: frameUrl } }, ...structuredClone(args)))
  }
}

