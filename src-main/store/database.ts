// SPDX-License-Identifier: Apache-2.0
// The SQLite store in the data dir (node:sqlite, built into Node 24 and Electron 45's Node).
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { refuseDamagedStore } from './damaged-store'
import { MIGRATIONS, type Migration } from './migrations'
import { StoreError } from './store-error'

export const DATABASE_FILE = 'workbench.sqlite'

export { StoreError }

export interface Database {
  readonly db: DatabaseSync
  readonly file: string
  /** Schema version after migration. */
  readonly version: number
  close(): void
}

/** Opens (creating if needed) the store in `dataDir` and brings its schema up to date. */
export function openDatabase(dataDir: string, migrations: readonly Migration[] = MIGRATIONS): Database {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const file = join(dataDir, DATABASE_FILE)
  refuseDamagedStore(file, dataDir)
  let db: DatabaseSync
  try {
    db = new DatabaseSync(file)
    // WAL lets the CLI read while the app writes; busy_timeout rides out short lock contention.
    db.exec('PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;')
  } catch (e) {
    throw new StoreError(`cannot open the store ${file}: ${(e as Error).message}`)
  }
  try {
    const version = migrate(db, migrations)
    return { db, file, version, close: () => db.close() }
  } catch (e) {
    db.close()
    if (e instanceof StoreError) throw e
    throw new StoreError(`cannot read the store ${file}: ${(e as Error).message}`)
  }
}

export function migrate(db: DatabaseSync, migrations: readonly Migration[]): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`)
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null }
  let current = row.v ?? 0
  const newest = migrations.reduce((m, x) => Math.max(m, x.version), 0)
  if (current > newest)
    throw new StoreError(
      `the store was written by a newer version (schema ${current}, this build knows ${newest}); refusing to open it`
    )
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (m.version <= current) continue
    db.exec('BEGIN IMMEDIATE')
    try {
      db.exec(m.sql)
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        m.version,
        m.name,
        new Date().toISOString()
      )
      db.exec('COMMIT')
    } catch (e) {
      db.exec('ROLLBACK')
      throw new StoreError(`migration ${m.version} (${m.name}) failed: ${(e as Error).message}`)
    }
    current = m.version
  }
  return current
}
