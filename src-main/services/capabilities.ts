// SPDX-License-Identifier: Apache-2.0
// Which devices this instance can reach, found by looking rather than assumed, so the UI can say
// why a feature is unavailable instead of failing when it is used.
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Capability } from '../contract/system'

const PCSCD_SOCKET = '/run/pcscd/pcscd.comm'

function resolvable(moduleName: string): boolean {
  try {
    createRequire(import.meta.url).resolve(moduleName)
    return true
  } catch {
    return false
  }
}

export function probeSerial(): Capability {
  if (!resolvable('serialport')) return { available: false, detail: 'serial support (serialport) is not part of this build' }
  // Loading it loads its native binding: a build for another platform fails here, not at open.
  try {
    createRequire(import.meta.url)('serialport')
  } catch (e) {
    return { available: false, detail: `the serialport native module did not load: ${(e as Error).message}` }
  }
  return { available: true, detail: 'serial ports through serialport; a typed device path is always accepted' }
}

export function probePcsc(): Capability {
  if (!resolvable('smartcard')) return { available: false, detail: 'PC/SC support (smartcard) is not part of this build' }
  if (process.platform === 'linux' && !existsSync(PCSCD_SOCKET))
    return { available: false, detail: `pcscd is not running (no ${PCSCD_SOCKET}): start it with \`sudo systemctl start pcscd.socket\`, or \`sudo pcscd --foreground\` in a terminal` }
  return { available: true, detail: 'PC/SC readers through pcsc-lite' }
}
