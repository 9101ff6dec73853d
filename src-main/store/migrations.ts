// SPDX-License-Identifier: Apache-2.0
// Numbered schema migrations. Append only: a released migration is never edited, because a user's
// data dir may already hold it. Each runs in its own transaction.

export interface Migration {
  readonly version: number
  readonly name: string
  readonly sql: string
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'settings',
    sql: `
      CREATE TABLE settings (
        key        TEXT PRIMARY KEY,
        value      TEXT NOT NULL,             -- JSON
        updated_at TEXT NOT NULL              -- ISO 8601 UTC
      ) STRICT;
    `
  }
]
