// Issue 12 item 18: one instance per data dir, held by an O_EXCL lock file with the holder's pid.
import { describe, expect, it } from 'vitest'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { acquireInstanceLock, InstanceLockError, LOCK_FILE } from '../../src-main/services/instance-lock'
import { tempDirsPerTest } from '../helpers/temp-dir'

const fresh = tempDirsPerTest()

/** The pid of a process that has already exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' })
  return Number(r.stdout)
}

describe('issue 12 item 18: the instance lock', () => {
  it('is created exclusively with the pid, mode 0600, and released', () => {
    const dir = fresh()
    const lock = acquireInstanceLock(dir, 4242)
    const file = join(dir, LOCK_FILE)
    expect(readFileSync(file, 'utf8').trim()).toBe('4242')
    expect(lock.tookOverFrom).toBeNull()
    lock.release()
    expect(existsSync(file)).toBe(false)
  })
  it('a live holder is refused, naming its pid and the lock file', async () => {
    const dir = fresh()
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'])
    try {
      writeFileSync(join(dir, LOCK_FILE), `${holder.pid}\n`)
      expect(() => acquireInstanceLock(dir)).toThrow(InstanceLockError)
      expect(() => acquireInstanceLock(dir)).toThrow(new RegExp(`pid ${holder.pid}.*${LOCK_FILE}`))
      expect(readFileSync(join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(holder.pid))
    } finally {
      holder.kill()
    }
  })
  it('a second acquire in the same data dir is refused while the first holds it', () => {
    const dir = fresh()
    const first = acquireInstanceLock(dir)
    expect(() => acquireInstanceLock(dir)).toThrow(InstanceLockError)
    first.release()
    acquireInstanceLock(dir).release()
  })
  it('a stale lock (its pid is not running) is taken over and says whose it was', () => {
    const dir = fresh()
    const dead = deadPid()
    writeFileSync(join(dir, LOCK_FILE), `${dead}\n`)
    const lock = acquireInstanceLock(dir)
    expect(lock.tookOverFrom).toBe(dead)
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(process.pid))
    lock.release()
  })
  it('release leaves a lock that another process owns alone', () => {
    const dir = fresh()
    const lock = acquireInstanceLock(dir)
    writeFileSync(join(dir, LOCK_FILE), '999999\n')
    lock.release()
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true)
  })
})
