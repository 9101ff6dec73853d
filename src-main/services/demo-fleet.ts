// SPDX-License-Identifier: Apache-2.0
// The demo a newcomer sees (issue 14): simulated devices registering with this instance's own
// LwM2M Server, started by `serve --demo N` and by the desktop app on its first run.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { DATABASE_FILE } from '../store/database'
import type { Workbench } from './workbench'

/** Nothing stored in `dataDir` yet (call before the workbench opens its store). */
export function isFirstRun(dataDir: string): boolean {
  return !existsSync(join(dataDir, DATABASE_FILE))
}

/** The URI a device on this machine uses for a listener bound to `address` (a wildcard means loopback). */
function localUri(address: string, port: number): string {
  const host = address === '0.0.0.0' ? '127.0.0.1' : address === '::' ? '::1' : address
  return `coap://${host.includes(':') ? `[${host}]` : host}:${port}`
}

/**
 * `--demo n`: n-1 sensors demo-0 … and one queue-mode tracker (demo-tracker) registering with our
 * own LwM2M Server, so a newcomer has live devices to look at. Returns the lines to print.
 */
export async function startDemo(workbench: Workbench, n: number): Promise<string[]> {
  const server = workbench.listeners().find((l) => l.role === 'LwM2M Server')
  if (!server) return ['Demo: not started, the LwM2M Server is not listening']
  const uri = localUri(server.address, server.port)
  const sensors = n === 1 ? 1 : n - 1
  const lines: string[] = []
  try {
    await workbench.simulator.start({ profile: 'sensor', count: sensors, prefix: 'demo-', server: uri })
    const names = sensors === 1 ? 'demo-0' : `demo-0 … demo-${sensors - 1}`
    lines.push(`Demo: ${sensors} simulated sensor${sensors === 1 ? '' : 's'} (${names}) registering with ${uri}`)
    if (n > 1) {
      await workbench.simulator.start({ profile: 'tracker', endpoint: 'demo-tracker', queue: true, server: uri })
      lines.push(`Demo: 1 simulated tracker in queue mode (demo-tracker), asleep between updates`)
    }
  } catch (e) {
    lines.push(`Demo: not started: ${(e as Error).message}`)
  }
  return lines
}

