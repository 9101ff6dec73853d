// SPDX-License-Identifier: Apache-2.0
// One instance per data dir: <data-dir>/instance.lock, created with O_EXCL so that of two
// instances starting together exactly one gets it, holding the holder's pid so that a lock left by
// a crash can be recognised (its pid no longer runs) and taken over.
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs'
import { join } from 'node:path'

export const LOCK_FILE = 'instance.lock'
/** A lock file without a pid yet is some instance between creating and writing it. */
const STARTING_GRACE_MS = 5000

export class InstanceLockError extends Error {
  override name = 'InstanceLockError'
  constructor(
    message: string,
    /** The pid holding the lock, when it could be read. */
    readonly holder: number | null
  ) {
    super(message)
  }
}

export interface InstanceLock {
  readonly file: string
  /** The pid of a dead instance whose stale lock was taken over, else null. */
  readonly tookOverFrom: number | null
  /** Removes the lock if it is still ours. */
  release(): void
}

export function acquireInstanceLock(dataDir: string, pid = process.pid): InstanceLock {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const file = join(dataDir, LOCK_FILE)
  let tookOverFrom: number | null = null
  for (let attempt = 0; attempt < 5; attempt++) {
    let fd: number
    try {
      fd = openSync(file, 'wx', 0o600)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
      const holder = readHolder(file)
      if (holder === 'gone') continue
      if (holder.pid !== null ? processAlive(holder.pid) : holder.ageMs < STARTING_GRACE_MS)
        throw new InstanceLockError(
          holder.pid !== null ? `another instance (pid ${holder.pid}) holds ${file}` : `another instance is starting (${file} is being written)`,
          holder.pid
        )
      if (takeOver(file, holder.pid, pid)) tookOverFrom = holder.pid
      continue
    }
    try {
      writeSync(fd, `${pid}\n`)
    } finally {
      closeSync(fd)
    }
    return { file, tookOverFrom, release: () => release(file, pid) }
  }
  throw new InstanceLockError(`could not take ${file}: other instances keep replacing it`, null)
}

/**
 * Moves a stale lock aside. Renaming (atomic) rather than deleting means two instances that both
 * saw the same stale lock cannot delete each other's fresh one: whoever renames second moves the
 * winner's lock, sees a live pid in it and puts it back.
 */
function takeOver(file: string, stalePid: number | null, pid: number): boolean {
  const aside = `${file}.${pid}.stale`
  try {
    renameSync(file, aside)
  } catch {
    return false // someone else moved it first
  }
  const moved = readHolder(aside)
  if (moved !== 'gone' && moved.pid !== stalePid) {
    // Not the stale lock any more: give it back. link() never replaces, so a lock a third
    // instance created meanwhile stays; then the one we moved is dropped and its owner refused
    // later, which is the safe side.
    try {
      linkSync(aside, file)
    } catch {
      // the name is taken again: leave it to its owner
    }
    rmSync(aside, { force: true })
    return false
  }
  rmSync(aside, { force: true })
  return true
}

function readHolder(file: string): { pid: number | null; ageMs: number } | 'gone' {
  try {
    const text = readFileSync(file, 'utf8').trim()
    const pid = /^[0-9]+$/.test(text) ? Number(text) : null
    return { pid, ageMs: Date.now() - statSync(file).mtimeMs }
  } catch {
    return 'gone'
  }
}

function release(file: string, pid: number): void {
  const holder = readHolder(file)
  if (holder !== 'gone' && holder.pid === pid) rmSync(file, { force: true })
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}
