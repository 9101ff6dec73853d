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
  },
  {
    version: 2,
    name: 'bootstrap',
    sql: `
      CREATE TABLE bootstrap_configs (
        endpoint   TEXT PRIMARY KEY,          -- "*" is the default configuration
        config     TEXT NOT NULL,             -- JSON, docs/bootstrap-config.md
        updated_at TEXT NOT NULL
      ) STRICT;
      CREATE TABLE bootstrap_runs (
        id          TEXT PRIMARY KEY,
        endpoint    TEXT NOT NULL,
        kind        TEXT NOT NULL,            -- request | pack
        peer        TEXT NOT NULL,
        started_at  TEXT NOT NULL,
        finished_at TEXT,
        outcome     TEXT NOT NULL,            -- running | success | failed
        detail      TEXT NOT NULL,
        format      INTEGER,
        client_version TEXT,
        steps       TEXT NOT NULL             -- JSON array of steps
      ) STRICT;
      CREATE INDEX bootstrap_runs_by_endpoint ON bootstrap_runs (endpoint, started_at);
    `
  },
  {
    version: 3,
    name: 'bootstrap run record',
    // What a run used and wrote (issue 12 item 14): the matched configuration, the client's BS
    // account, instance ids and masked values. NULL in runs recorded before.
    sql: `ALTER TABLE bootstrap_runs ADD COLUMN record TEXT;`
  },
  {
    version: 4,
    name: 'security credentials and handshakes',
    // Issue 15 items 3 and 6. One credential per (endpoint, role); an identity (PSK identity,
    // RPK SubjectPublicKeyInfo, certificate CN) names one endpoint per role. The key material is
    // sealed (SecretBox); identity_hex is not a secret and is indexed for the uniqueness rule.
    // Handshake records are bounded by the service (newest N kept).
    sql: `
      CREATE TABLE security_credentials (
        endpoint     TEXT NOT NULL,
        role         TEXT NOT NULL,           -- server | bootstrap
        mode         TEXT NOT NULL,           -- psk | rpk | x509
        identity_hex TEXT NOT NULL,
        sealed       TEXT NOT NULL,           -- SecretBox-sealed JSON: key, certificates, trust
        source       TEXT NOT NULL,           -- user | bootstrap
        updated_at   TEXT NOT NULL,
        PRIMARY KEY (endpoint, role)
      ) STRICT;
      CREATE UNIQUE INDEX security_credentials_by_identity ON security_credentials (role, identity_hex);
      CREATE TABLE security_handshakes (
        seq       INTEGER PRIMARY KEY AUTOINCREMENT,
        at        TEXT NOT NULL,
        role      TEXT NOT NULL,
        direction TEXT NOT NULL,
        peer      TEXT NOT NULL,
        identity  TEXT,
        endpoint  TEXT,
        outcome   TEXT NOT NULL,              -- ok | failed
        cause     TEXT NOT NULL,
        record    TEXT NOT NULL               -- JSON: message, evidence, alert, suite, cid
      ) STRICT;
      CREATE INDEX security_handshakes_by_endpoint ON security_handshakes (endpoint, seq);
    `
  },
  {
    version: 5,
    name: 'card writes',
    // Every attempt to write EF LwM2M_Bootstrap on a smart card (issue 18 item 5); no secret in it.
    sql: `
      CREATE TABLE card_writes (
        id          TEXT PRIMARY KEY,
        at          TEXT NOT NULL,
        reader      TEXT NOT NULL,
        atr         TEXT NOT NULL,
        iccid       TEXT,
        endpoint    TEXT NOT NULL,
        config_hash TEXT NOT NULL,
        outcome     TEXT NOT NULL,            -- written | failed
        file_state  TEXT NOT NULL,            -- valid | invalid | unchanged | unknown
        detail      TEXT NOT NULL,
        bytes       INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX card_writes_by_at ON card_writes (at);
    `
  }
]
