// SPDX-License-Identifier: Apache-2.0
// A real pty pair from Debian's socat: what one end writes, the other reads. Each test starts its
// own socat and stops it afterwards (stopping it is also how a test unplugs the line).
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface PtyPair {
  /** Symlinks to the two ends, e.g. /tmp/pty-xyz/A. */
  readonly a: string
  readonly b: string
  /** Ends socat: both ends go away, as with an unplugged cable. */
  stop(): Promise<void>
}

export async function ptyPair(): Promise<PtyPair> {
  const dir = mkdtempSync(join(tmpdir(), 'pty-'))
  const a = join(dir, 'A')
  const b = join(dir, 'B')
  const child: ChildProcess = spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const deadline = Date.now() + 5000
  while (!(existsSync(a) && existsSync(b))) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill()
      throw new Error('socat did not create the pty pair')
    }
    await new Promise((r) => setTimeout(r, 20))
  }
  let stopped = false
  return {
    a,
    b,
    async stop() {
      if (!stopped) {
        stopped = true
        child.kill('SIGTERM')
        await exited
      }
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
