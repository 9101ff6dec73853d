// SPDX-License-Identifier: Apache-2.0
// Before SQLite opens the store file: SQLite takes an empty file as a new database, so a store
// truncated by a crash or a full disk would come back empty and every configuration would be gone
// without a word. A file that cannot be ours is refused instead, and named.
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { StoreError } from './store-error'

/** Every SQLite 3 database file starts with these 16 bytes (sqlite.org/fileformat.html §1.3). */
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1')
/** Written into the data dir right after the store is first created (services/secret-box.ts), so
 * its presence proves that a store with data existed here. */
const PROOF_OF_EARLIER_USE = 'secrets.key'

const ADVICE = 'refusing to start so that nothing is replaced; restore it from a backup, or move it away to start with an empty store'

/** Throws a StoreError naming `file` when it exists but cannot be the store we wrote. */
export function refuseDamagedStore(file: string, dataDir: string): void {
  if (!existsSync(file)) return
  const size = statSync(file).size
  if (size === 0) {
    if (existsSync(join(dataDir, PROOF_OF_EARLIER_USE)))
      throw new StoreError(`the store ${file} is empty, but ${join(dataDir, PROOF_OF_EARLIER_USE)} shows it held data; ${ADVICE}`)
    return // a first start that stopped before writing anything
  }
  const head = Buffer.alloc(SQLITE_HEADER.length)
  const fd = openSync(file, 'r')
  try {
    readSync(fd, head, 0, head.length, 0)
  } finally {
    closeSync(fd)
  }
  if (!head.equals(SQLITE_HEADER)) throw new StoreError(`the store ${file} is not a SQLite database (damaged?); ${ADVICE}`)
}
