// SPDX-License-Identifier: Apache-2.0
// Settings rows: one JSON value per key. Validation happens in the service; this only persists.
import type { DatabaseSync } from 'node:sqlite'

export class SettingsStore {
  constructor(private readonly db: DatabaseSync) {}

  all(): Map<string, unknown> {
    const rows = this.db.prepare('SELECT key, value FROM settings').all() as { key: string; value: string }[]
    return new Map(rows.map((r) => [r.key, JSON.parse(r.value) as unknown]))
  }

  put(key: string, value: unknown, now: Date): void {
    this.db
      .prepare(
        `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`
      )
      .run(key, JSON.stringify(value), now.toISOString())
  }
}
