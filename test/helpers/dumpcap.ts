// SPDX-License-Identifier: Apache-2.0
// Debian's dumpcap as a test's independent recorder of loopback traffic.
import { spawn, type ChildProcess } from 'node:child_process'

export interface Dumpcap {
  readonly file: string
  stop(): Promise<void>
}

/** Starts dumpcap writing `file` and resolves once it says it is capturing. */
export function dumpcap(file: string, args: string[]): Promise<Dumpcap> {
  const child: ChildProcess = spawn('dumpcap', [...args, '-w', file], { stdio: ['ignore', 'ignore', 'pipe'] })
  let err = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`dumpcap did not start: ${err}`)), 15_000)
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString()
      if (err.includes('Capturing on')) {
        clearTimeout(timer)
        resolve({
          file,
          stop: () =>
            new Promise<void>((done) => {
              child.once('exit', () => done())
              child.kill('SIGTERM')
            })
        })
      }
    })
    child.once('exit', (code) => reject(new Error(`dumpcap exited (${code}): ${err}`)))
  })
}
