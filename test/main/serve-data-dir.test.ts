// Issue 12 item 18 through the real bin: a damaged store is refused, never replaced, and two
// `serve` processes on one data dir cannot both start.
import { describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runCliAsync, serve } from '../helpers/cli'
import { tempDirsPerTest } from '../helpers/temp-dir'

const fresh = tempDirsPerTest()

const ARGS = ['--http-port', '0', '--coap-port', '0', '--bs-port', '0', '--coaps-port', '0', '--bs-coaps-port', '0']

describe('issue 12 item 18: a damaged store is refused, naming the file', () => {
  const cases: [string, Buffer][] = [
    ['an empty', Buffer.alloc(0)],
    ['a corrupt (random bytes)', randomBytes(8192)]
  ]
  for (const [name, bytes] of cases) {
    it(`${name} database file beside secrets.key: serve exits non-zero and leaves it as it was`, async () => {
      const dir = fresh()
      writeFileSync(join(dir, 'secrets.key'), randomBytes(32).toString('base64') + '\n', { mode: 0o600 })
      const db = join(dir, 'workbench.sqlite')
      writeFileSync(db, bytes)
      const r = await runCliAsync(['serve', ...ARGS, '--data-dir', dir])
      expect(r.status).toBe(1)
      expect(r.stderr).toContain(db)
      expect(r.stderr).toMatch(/refus/)
      expect(r.stderr).not.toMatch(/\n\s+at /)
      expect(r.stdout).not.toContain('Workbench UI')
      expect(readFileSync(db).equals(bytes)).toBe(true)
    })
  }
  it('a fresh data dir still starts', async () => {
    const s = await serve(fresh())
    expect(await s.stop()).toBe(0)
  })
})

describe('issue 12 item 18: one serve per data dir, atomically', () => {
  it('two serve processes started together on one data dir: exactly one runs, the other names the pid', async () => {
    const dir = fresh()
    const { spawn } = await import('node:child_process')
    const { BIN } = await import('../helpers/cli')
    const start = () => {
      const child = spawn(process.execPath, [BIN, 'serve', ...ARGS, '--data-dir', dir])
      let out = ''
      child.stdout.on('data', (d) => (out += d))
      child.stderr.on('data', (d) => (out += d))
      const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)))
      return { child, out: () => out, exited }
    }
    const a = start()
    const b = start()
    await expect.poll(() => a.out() + b.out(), { timeout: 20_000 }).toMatch(/already serves/)
    await expect.poll(() => a.out() + b.out(), { timeout: 20_000 }).toContain('Workbench UI')
    const [winner, loser] = a.out().includes('Workbench UI') ? [a, b] : [b, a]
    expect(await loser.exited).toBe(1)
    expect(loser.out()).toContain(`pid ${winner.child.pid}`)
    winner.child.kill('SIGTERM')
    expect(await winner.exited).toBe(0)
  })
  it('a stale lock left by a dead serve is taken over with a note', async () => {
    const dir = fresh()
    writeFileSync(join(dir, 'instance.lock'), '4194305\n') // above the largest pid_max (2^22): no such process
    const s = await serve(dir)
    await expect.poll(() => s.output()).toMatch(/stale lock .*pid 4194305/)
    expect(readFileSync(join(dir, 'instance.lock'), 'utf8').trim()).toBe(String(s.child.pid))
    expect(await s.stop()).toBe(0)
  })
})
