// SPDX-License-Identifier: Apache-2.0
// The per-user app-data folder, the same one Electron's app.getPath('userData') gives for our
// product name, so the desktop app and the CLI share one store by default.
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { APP_NAME } from '../services/app-info'

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.LWM2M_WB_DATA_DIR) return resolve(env.LWM2M_WB_DATA_DIR)
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_NAME)
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP_NAME)
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), APP_NAME)
}
