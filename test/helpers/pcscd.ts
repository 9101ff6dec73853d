// SPDX-License-Identifier: Apache-2.0
// Starts Debian's pcscd in the foreground for a test (it loads the vsmartcard-vpcd reader driver
// from /etc/reader.conf.d/vpcd), and stops it after. There is one pcscd socket per machine
// (/run/pcscd/pcscd.comm), so test files that need it take a lock first and wait their turn.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'

const LOCK = '/tmp/lwm2m-wb-pcscd.lock'
const SOCKET = '/run/pcscd/pcscd.comm'

export interface Pcscd {
  readonly process: ChildProcess
  /** False when the machine's own pcscd serves (the test then cannot stop it). */
  readonly owned: boolean
  /** Stops pcscd; `keepLock` keeps other test files out (to start it again with `haveLock`). */
  stop(opts?: { keepLock?: boolean }): Promise<void>
}

async function lock(timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs
  for (;;) {
    try {
      mkdirSync(LOCK)
      writeFileSync(`${LOCK}/pid`, String(process.pid))
      return
    } catch {
      // A lock left by a test run that died is stale after five minutes.
      try {
        if (Date.now() - statSync(LOCK).mtimeMs > 300_000) rmSync(LOCK, { recursive: true, force: true })
      } catch {
        /* gone meanwhile */
      }
      if (Date.now() > until) throw new Error(`pcscd lock ${LOCK} still held after ${timeoutMs} ms`)
      await new Promise((r) => setTimeout(r, 200))
    }
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port })
    s.once('connect', () => {
      s.destroy()
      resolve(true)
    })
    s.once('error', () => resolve(false))
  })
}

/** pcscd in the foreground, ready once vpcd listens on its port. */
export async function startPcscd(opts: { port?: number; timeoutMs?: number; haveLock?: boolean } = {}): Promise<Pcscd> {
  const port = opts.port ?? 35963
  if (!opts.haveLock) await lock(opts.timeoutMs ?? 120_000)
  // A pcscd the machine already runs (systemd's pcscd.socket) serves as well: use it, stop nothing.
  if (existsSync(SOCKET) && (await listening(port))) {
    const none = spawn('true')
    return { process: none, owned: false, stop: async (o = {}) => void (o.keepLock ? undefined : rmSync(LOCK, { recursive: true, force: true })) }
  }
  const child = spawn('pcscd', ['--foreground', '--auto-exit'], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  const stop = async (o: { keepLock?: boolean } = {}): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await exited
    if (!o.keepLock) rmSync(LOCK, { recursive: true, force: true })
  }
  const until = Date.now() + 10_000
  while (!(existsSync(SOCKET) && (await listening(port)))) {
    if (child.exitCode !== null || Date.now() > until) {
      await stop()
      throw new Error(`pcscd did not come up (is another pcscd running?): ${stderr.trim()}`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  return { process: child, owned: true, stop }
}
