// SPDX-License-Identifier: Apache-2.0
// <data-dir>/instance.json tells other commands on this machine where the running instance is
// and which token it wants. It holds a secret, so it is written 0600 and never logged.
import { chmodSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export const INSTANCE_FILE = 'instance.json'

export interface InstanceInfo {
  /** Base URL of the UI and WebSocket (no token). */
  readonly url: string
  readonly token: string
  readonly pid: number
  readonly version: string
  readonly startedAt: string
}

export function instancePath(dataDir: string): string {
  return join(dataDir, INSTANCE_FILE)
}

export function writeInstance(dataDir: string, info: InstanceInfo): void {
  const file = instancePath(dataDir)
  const tmp = `${file}.${process.pid}.tmp`
  writeFileSync(tmp, JSON.stringify(info, null, 2) + '\n', { mode: 0o600 })
  chmodSync(tmp, 0o600) // in case a umask or an existing file kept wider bits
  renameSync(tmp, file)
}

export type InstanceRead =
  | { ok: true; info: InstanceInfo; alive: boolean }
  | { ok: false; reason: string }

export function readInstance(dataDir: string): InstanceRead {
  const file = instancePath(dataDir)
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    return { ok: false, reason: `no running instance found in ${dataDir} (no ${INSTANCE_FILE})` }
  }
  try {
    const v = JSON.parse(text) as Partial<InstanceInfo>
    if (typeof v.url !== 'string' || typeof v.token !== 'string' || typeof v.pid !== 'number')
      return { ok: false, reason: `${file} is not a valid instance file` }
    return { ok: true, info: v as InstanceInfo, alive: processAlive(v.pid) }
  } catch {
    return { ok: false, reason: `${file} is not valid JSON` }
  }
}

/** Removes the file only if it still describes this process (a newer instance may own it). */
export function removeInstance(dataDir: string, pid = process.pid): void {
  const r = readInstance(dataDir)
  if (r.ok && r.info.pid === pid) rmSync(instancePath(dataDir), { force: true })
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}
