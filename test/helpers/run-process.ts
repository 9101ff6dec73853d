// SPDX-License-Identifier: Apache-2.0
// Runs an independent peer (coap-client, tshark, …) without blocking: the workbench under test often
// runs in this same process and must answer while the peer waits.
import { spawn } from 'node:child_process'

export function runProcess(cmd: string, args: string[], timeoutMs = 20_000): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args)
    let out = ''
    p.stdout.on('data', (b: Buffer) => (out += b.toString()))
    p.stderr.on('data', (b: Buffer) => (out += b.toString()))
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs)
    p.on('exit', (status) => {
      clearTimeout(t)
      resolve({ status, out })
    })
  })
}
