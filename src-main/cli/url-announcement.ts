// SPDX-License-Identifier: Apache-2.0
// What `serve` prints about its URL. On a terminal the URL carries the token, ready to open; when
// stdout goes to a pipe or a file (CI logs, service managers) the token would end up stored
// there, so the URL goes without it and the line says where the token is instead.
import { INSTANCE_FILE } from '../headless/instance-file'
import { join } from 'node:path'

export function urlAnnouncement(opts: { baseUrl: string; uiUrl: string; dataDir: string; terminal: boolean }): string[] {
  if (opts.terminal) return [`Workbench UI: ${opts.uiUrl}`]
  return [
    `Workbench UI: ${opts.baseUrl}`,
    `Token: not printed because stdout is not a terminal; it is in ${join(opts.dataDir, INSTANCE_FILE)} (mode 0600), or open the UI with "#token=<token>" after the URL`
  ]
}
