// SPDX-License-Identifier: Apache-2.0
// The sandboxed preload: exposes exactly invoke(method, params), on(event, cb) and the two file
// helpers of BridgeApi. ipcRenderer itself never crosses the bridge, and the IPC event object (with
// its sender) is stripped.
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron'
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL, IPC_SAVE_DIALOG_CHANNEL, type BridgeApi } from '../contract/bridge'

const api: BridgeApi = {
  invoke: (method, params) => ipcRenderer.invoke(IPC_INVOKE_CHANNEL, String(method), params),
  on(event, listener) {
    const l = (_e: IpcRendererEvent, name: unknown, payload: unknown) => {
      if (name === event) listener(payload)
    }
    ipcRenderer.on(IPC_EVENT_CHANNEL, l)
    return () => void ipcRenderer.removeListener(IPC_EVENT_CHANNEL, l)
  },
  pathForFile: (file) => webUtils.getPathForFile(file as File),
  chooseSavePath: async (suggestedName) => {
    const path: unknown = await ipcRenderer.invoke(IPC_SAVE_DIALOG_CHANNEL, String(suggestedName))
    return typeof path === 'string' ? path : null
  }
}

contextBridge.exposeInMainWorld('workbench', api)
