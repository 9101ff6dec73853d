// SPDX-License-Identifier: Apache-2.0
// The Zephyr LwM2M shell dialect (subsys/net/lib/lwm2m/lwm2m_shell.c): the commands that write a
// bootstrap configuration's Security (/0) and Server (/1) instances through the device's shell
// and start its client. Syntax, as that file defines it:
//   lwm2m stop                          stop the RD client (fails harmlessly when not started)
//   lwm2m create PATH                   create an object instance
//   lwm2m write PATH [-s|-b|-u8|-u16|-u32|-s8…|-f|-t] VALUE   (-s, a string, is the default)
//   lwm2m start EP_NAME [-b FLAG]       start the RD client, bootstrap flag 0 or 1
// Errors come back as shell_error lines ("can't do write operation, request failed (err -22)",
// "can't recognize data type", "Invalid number", "operation failed, -17", "no lwm2m context yet").

import type { BootstrapConfig } from '../lwm2m/bootstrap/config'

export interface ShellStep {
  readonly command: string
  /** A failure here does not stop the script (stop before start, create of an existing instance). */
  readonly tolerated?: boolean
}

/** Zephyr's default shell prompt on a UART backend. */
export const ZEPHYR_PROMPT = /uart:~\$ $/

const ERROR = /can't|failed|Invalid number|unknown specifier|no lwm2m context|Illegal path|not found|wrong parameters|command not found/i

/** Whether the shell's answer to a command reports an error. */
export function shellAnswerFailed(answer: string): boolean {
  return ERROR.test(answer)
}

/** Drops ANSI escape sequences (shell_error prints in colour) and carriage returns. */
export function plainShellText(text: string): string {
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '')
}

/** A shell argument: Zephyr's shell splits on spaces and honours double quotes. */
function arg(value: string): string {
  return /^[^\s"\\]+$/.test(value) ? value : `"${value.replace(/(["\\])/g, '\\$1')}"`
}

/**
 * The script for `config`, or the reason it cannot be written through this shell: the shell's
 * write takes text and numbers only, so keys and certificates (opaque) cannot go this way.
 */
export function zephyrShellScript(config: BootstrapConfig, endpoint: string): { steps: ShellStep[] } | { problem: string } {
  const secure = config.security.find((s) => s.securityMode !== 3)
  if (secure) return { problem: `/0/${secure.instanceId} uses security mode ${secure.securityMode}: the Zephyr shell writes text and numbers, not keys; only NoSec (mode 3) accounts can be provisioned this way` }
  if (/\s/.test(endpoint)) return { problem: 'the endpoint name holds a space, which lwm2m start cannot take' }
  const steps: ShellStep[] = [{ command: 'lwm2m stop', tolerated: true }]
  for (const s of config.security) {
    const p = `/0/${s.instanceId}`
    steps.push({ command: `lwm2m create ${p}`, tolerated: true })
    steps.push({ command: `lwm2m write ${p}/0 ${arg(s.uri)}` })
    steps.push({ command: `lwm2m write ${p}/1 -b ${s.bootstrapServer ? 1 : 0}` })
    steps.push({ command: `lwm2m write ${p}/2 -u8 ${s.securityMode}` })
    if (s.shortServerId !== undefined) steps.push({ command: `lwm2m write ${p}/10 -u16 ${s.shortServerId}` })
  }
  for (const s of config.servers) {
    const p = `/1/${s.instanceId}`
    steps.push({ command: `lwm2m create ${p}`, tolerated: true })
    steps.push({ command: `lwm2m write ${p}/0 -u16 ${s.shortServerId}` })
    steps.push({ command: `lwm2m write ${p}/1 -u32 ${s.lifetime}` })
    steps.push({ command: `lwm2m write ${p}/6 -b ${s.notificationStoring ? 1 : 0}` })
    steps.push({ command: `lwm2m write ${p}/7 ${arg(s.binding)}` })
  }
  // With a Bootstrap-Server account only, the client bootstraps first (flag 1).
  const bootstrapOnly = config.servers.length === 0 && config.security.some((s) => s.bootstrapServer)
  steps.push({ command: `lwm2m start ${endpoint} -b ${bootstrapOnly ? 1 : 0}` })
  return { steps }
}
