// SPDX-License-Identifier: Apache-2.0
import { app, BrowserWindow, nativeTheme, shell } from 'electron'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { APP_ORIGIN } from './app-protocol'

/** Only our own pages may navigate or call in: app://workbench, or the dev server in development. */
export function isTrustedUrl(url: string): boolean {
  const dev = process.env.ELECTRON_RENDERER_URL
  return url.startsWith(APP_ORIGIN + '/') || (dev !== undefined && url.startsWith(dev))
}

export function createMainWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    show: false,
    // Linux takes the window icon from here; packaged builds carry resources/ beside the asar.
    icon: join(app.isPackaged ? join(process.resourcesPath, 'resources') : join(app.getAppPath(), 'resources'), 'icon.png'),
    // Matches the theme so the window does not flash white before the UI paints.
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#141414' : '#ffffff',
    webPreferences: {
      preload: fileURLToPath(new URL('../preload/index.cjs', import.meta.url)),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false
    }
  })
  win.once('ready-to-show', () => win.show())
  // New windows and foreign navigation go to the system browser, never into our privileged window.
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//.test(url)) void shell.openExternal(url)
    return { action: 'deny' }
  })
  win.webContents.on('will-navigate', (event, url) => {
    if (!isTrustedUrl(url)) event.preventDefault()
  })
  const dev = process.env.ELECTRON_RENDERER_URL
  void win.loadURL(dev ?? `${APP_ORIGIN}/`)
  return win
}
