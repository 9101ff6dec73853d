// SPDX-License-Identifier: Apache-2.0
import { app, Menu, shell, type MenuItemConstructorOptions } from 'electron'

export function buildMenu(): Menu {
  const isMac = process.platform === 'darwin'
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    { label: '&File', submenu: [isMac ? { role: 'close' } : { role: 'quit' }] },
    { role: 'editMenu' },
    {
      label: '&View',
      submenu: [
        { role: 'reload' },
        { role: 'toggleDevTools' },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' }
      ]
    },
    { role: 'windowMenu' },
    {
      label: '&Help',
      submenu: [
        {
          label: 'OMA LwM2M object registry',
          click: () => void shell.openExternal('https://technical.openmobilealliance.org/OMNA/LwM2M/LwM2MRegistry.html')
        },
        { type: 'separator' },
        { label: `About ${app.getName()}`, click: () => app.showAboutPanel() }
      ]
    }
  ]
  return Menu.buildFromTemplate(template)
}
