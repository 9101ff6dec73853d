// SPDX-License-Identifier: Apache-2.0
// The sandboxed preload: exposes exactly invoke(method, params) and on(event, cb). ipcRenderer
// itself never crosses the bridge, and the IPC event object (with its sender) is stripped.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL, type BridgeApi } from '../contract/bridge'

const api: BridgeApi = {
  invoke: (method, params) => ipcRenderer.invoke(IPC_INVOKE_CHANNEL, String(method), params),
  on(event, listener) {
    const l = (_e: IpcRendererEvent, name: unknown, payload: unknown) => {
      if (name === event) listener(payload)
    }
    ipcRenderer.on(IPC_EVENT_CHANNEL, l)
    return () => void ipcRenderer.removeListener(IPC_EVENT_CHANNEL, l)
  }
}

contextBridge.exposeInMainWorld('workbench', api)
