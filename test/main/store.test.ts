// The SQLite store (node:sqlite) with numbered migrations, and settings persisted through it.
import { describe, expect, it } from 'vitest'
import { DatabaseSync } from 'node:sqlite'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { DATABASE_FILE, migrate, openDatabase, StoreError } from '../../src-main/store/database'
import { MIGRATIONS } from '../../src-main/store/migrations'
import { createWorkbench } from '../../src-main/services/workbench'
import { tempDirsPerTest } from '../helpers/temp-dir'

const fresh = tempDirsPerTest()

describe('store migrations', () => {
  it('creates the data dir and applies every migration once, in order', () => {
    const dir = join(fresh(), 'nested', 'data')
    const a = openDatabase(dir)
    expect(a.version).toBe(Math.max(...MIGRATIONS.map((m) => m.version)))
    const rows = a.db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]
    expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version))
    a.close()
    const b = openDatabase(dir) // reopening applies nothing twice
    expect((b.db.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get() as { n: number }).n).toBe(MIGRATIONS.length)
    b.close()
  })
  it('rolls a failing migration back and says which one failed', () => {
    const db = new DatabaseSync(':memory:')
    const bad = [...MIGRATIONS, { version: 99, name: 'broken', sql: 'CREATE TABLE t (x); INSERT INTO nope VALUES (1);' }]
    expect(() => migrate(db, bad)).toThrow(/migration 99 \(broken\) failed/)
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type='table' AND name='t'").all()
    expect(tables).toEqual([]) // the half-done migration left nothing behind
    expect(migrate(db, MIGRATIONS)).toBe(Math.max(...MIGRATIONS.map((m) => m.version))) // numbers may have gaps while branches land
  })
  it('refuses a store written by a newer build instead of corrupting it', () => {
    const dir = fresh()
    openDatabase(dir).close()
    const db = new DatabaseSync(join(dir, DATABASE_FILE))
    db.prepare("INSERT INTO schema_migrations VALUES (999, 'future', 'x')").run()
    db.close()
    expect(() => openDatabase(dir)).toThrow(StoreError)
  })
})

describe('issue 12 item 18: a damaged store is refused, never replaced', () => {
  it('an empty or non-SQLite store file beside secrets.key throws a StoreError naming the file', () => {
    for (const bytes of [Buffer.alloc(0), Buffer.from('not a database at all, just some bytes'.repeat(100))]) {
      const dir = fresh()
      writeFileSync(join(dir, 'secrets.key'), 'x')
      writeFileSync(join(dir, DATABASE_FILE), bytes)
      expect(() => openDatabase(dir)).toThrow(StoreError)
      expect(() => openDatabase(dir)).toThrow(join(dir, DATABASE_FILE))
      expect(readFileSync(join(dir, DATABASE_FILE)).equals(bytes)).toBe(true)
    }
  })
  it('an empty file without secrets.key is a first start that stopped early: it opens', () => {
    const dir = fresh()
    writeFileSync(join(dir, DATABASE_FILE), '')
    openDatabase(dir).close()
  })
})

describe('settings.get / settings.set', () => {
  it('returns defaults, stores a value, and keeps it across restarts', async () => {
    const dir = fresh()
    const a = createWorkbench({ dataDir: dir, log: () => {} })
    const before = await a.dispatcher.dispatch('settings.get', {}, { carrier: 'in-process' })
    expect(before).toMatchObject({ ok: true, result: { settings: { 'ui.theme': 'system', 'models.folders': [] } } })
    const events: unknown[] = []
    a.events.subscribe((name, payload) => events.push([name, payload]))
    await a.dispatcher.dispatch('settings.set', { key: 'ui.theme', value: 'dark' }, { carrier: 'in-process' })
    expect(events).toEqual([['settings.changed', { key: 'ui.theme', value: 'dark' }]])
    await a.close()

    const b = createWorkbench({ dataDir: dir, log: () => {} })
    const after = await b.dispatcher.dispatch('settings.get', { keys: ['ui.theme'] }, { carrier: 'in-process' })
    expect(after).toEqual({ ok: true, result: { settings: { 'ui.theme': 'dark' } } })
    await b.close()
  })
  it('a stored value that no longer fits its schema reads as the default', async () => {
    const dir = fresh()
    const a = createWorkbench({ dataDir: dir, log: () => {} })
    await a.close()
    const db = new DatabaseSync(join(dir, DATABASE_FILE))
    db.prepare("INSERT INTO settings VALUES ('ui.theme', '\"sepia\"', 'x')").run()
    db.close()
    const b = createWorkbench({ dataDir: dir, log: () => {} })
    const r = await b.dispatcher.dispatch('settings.get', { keys: ['ui.theme'] }, { carrier: 'in-process' })
    expect(r).toEqual({ ok: true, result: { settings: { 'ui.theme': 'system' } } })
    await b.close()
  })
  it('an internal failure in a service becomes rpc.internal, not a crash', async () => {
    const dir = fresh()
    const logged: string[] = []
    const a = createWorkbench({ dataDir: dir, log: (l) => logged.push(l) })
    await a.close() // the database is closed: the next store access throws inside the service
    const r = await a.dispatcher.dispatch('settings.set', { key: 'ui.theme', value: 'dark' }, { carrier: 'in-process' })
    expect(r).toMatchObject({ ok: false, error: { code: 'rpc.internal' } })
    expect(logged.join('\n')).toContain('settings.set')
  })
})
