// SPDX-License-Identifier: Apache-2.0
// The desktop shell: lifecycle, one window, menus, and the IPC carrier onto the same services
// the headless mode uses. Kept thin: everything that can run without Electron lives in services/.
import { app, BrowserWindow, dialog, ipcMain, Menu, session, webContents } from 'electron'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { isFirstRun, startDemo } from '../services/demo-fleet'
import { createWorkbench, type Workbench } from '../services/workbench'
import { handleAppScheme, registerAppScheme } from './app-protocol'
import { attachIpc, attachSaveDialog, forwardEvents } from './ipc-adapter'
import { keyringSecretBox } from './keyring-secret-box'
import { createMainWindow, isTrustedUrl } from './main-window'
import { buildMenu } from './menu'

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  registerAppScheme()
  let workbench: Workbench | null = null
  let mainWindow: BrowserWindow | null = null

  app.on('second-instance', () => {
    if (!mainWindow) return
    if (mainWindow.isMinimized()) mainWindow.restore()
    mainWindow.focus()
  })

  void app.whenReady().then(() => {
    // The renderer asks for nothing (camera, notifications, ...): refuse every permission.
    session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))
    handleAppScheme(fileURLToPath(new URL('../renderer', import.meta.url)))
    const dataDir = app.getPath('userData')
    // A first run: no store yet. A newcomer then gets five simulated devices to look at (the
    // Simulator view stops them), as `npm start` gives the headless mode `--demo 5`.
    const firstRun = isFirstRun(dataDir)
    const secretBox = keyringSecretBox(dataDir)
    workbench = createWorkbench({
      dataDir,
      ...(secretBox ? { secretBox } : {}),
      electronVersion: process.versions.electron,
      resourcesDir: app.isPackaged ? join(process.resourcesPath, 'resources') : join(app.getAppPath(), 'resources')
    })
    // The same listeners as `lwm2m-wb serve`; a port in use leaves that role off (system.info shows
    // which listeners are open) rather than stopping the app.
    const wb = workbench
    void (async () => {
      for (const l of [
        { coap: { host: '0.0.0.0', port: 5683 }, bootstrap: null },
        { coap: null, bootstrap: { host: '0.0.0.0', port: 5783 } },
        { coap: null, bootstrap: null, coaps: { host: '0.0.0.0', port: 5684 } },
        { coap: null, bootstrap: null, bootstrapCoaps: { host: '0.0.0.0', port: 5784 } }
      ])
        await wb.startListeners(l).catch((e: Error) => process.stderr.write(`listener not started: ${e.message}\n`))
      if (firstRun) for (const line of await startDemo(wb, 5)) process.stdout.write(line + '\n')
    })()
    attachIpc(ipcMain, workbench.dispatcher, isTrustedUrl)
    attachSaveDialog(
      ipcMain,
      async (name) => {
        const options = { defaultPath: join(app.getPath('documents'), name), filters: [{ name: 'Capture', extensions: [name.endsWith('.pcap') ? 'pcap' : 'pcapng'] }] }
        const r = mainWindow ? await dialog.showSaveDialog(mainWindow, options) : await dialog.showSaveDialog(options)
        return r.canceled || !r.filePath ? null : r.filePath
      },
      isTrustedUrl
    )
    forwardEvents(workbench.events, () => webContents.getAllWebContents())
    Menu.setApplicationMenu(buildMenu())
    mainWindow = createMainWindow()
    mainWindow.on('closed', () => (mainWindow = null))
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) mainWindow = createMainWindow()
    })
  })

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
  app.on('will-quit', () => void workbench?.close())
}
