// SPDX-License-Identifier: Apache-2.0
// DTLS credentials per (endpoint, role), sealed at rest like bootstrap secrets, and the record of
// handshakes (issue 15 items 3 and 6). The store is read once into memory by the service: a
// handshake never waits on SQLite.
import type { DatabaseSync } from 'node:sqlite'
import type { Sealer } from './bootstrap-store'

export type StoredRole = 'server' | 'bootstrap'
export type StoredMode = 'psk' | 'rpk' | 'x509'

/** The sealed part: everything but the endpoint, role and mode, as hex. */
export interface CredentialMaterial {
  /** PSK identity, RPK SubjectPublicKeyInfo, or the expected certificate CN as UTF-8. */
  readonly identity: string
  /** PSK key (the secret). Absent for RPK and X.509. */
  readonly key?: string
  /** X.509: the device's own certificate when pinned (DER hex). */
  readonly certificate?: string
  /** X.509: the trust anchors its chain must end at (DER hex each). */
  readonly trust?: readonly string[]
}

export interface StoredCredential {
  readonly endpoint: string
  readonly role: StoredRole
  readonly mode: StoredMode
  readonly material: CredentialMaterial
  readonly source: 'user' | 'bootstrap'
  readonly updatedAt: string
}

export interface StoredHandshake {
  readonly seq: number
  readonly at: string
  readonly role: string
  readonly direction: string
  readonly peer: string
  readonly identity: string | null
  readonly endpoint: string | null
  readonly outcome: string
  readonly cause: string
  /** message, evidence, alert, suite, cid */
  readonly record: Record<string, unknown>
}

export class CredentialStore {
  constructor(
    private readonly db: DatabaseSync,
    private readonly sealer: Sealer
  ) {}

  /**
   * Every credential; one whose sealed part cannot be opened (sealed with another key: the desktop
   * app's keyring vs `lwm2m-wb serve`'s key file) is listed apart rather than failing the rest.
   */
  all(): { credentials: StoredCredential[]; unreadable: { endpoint: string; role: StoredRole; reason: string }[] } {
    const rows = this.db.prepare('SELECT endpoint, role, mode, sealed, source, updated_at FROM security_credentials ORDER BY endpoint, role').all() as {
      endpoint: string
      role: StoredRole
      mode: StoredMode
      sealed: string
      source: 'user' | 'bootstrap'
      updated_at: string
    }[]
    const credentials: StoredCredential[] = []
    const unreadable: { endpoint: string; role: StoredRole; reason: string }[] = []
    for (const r of rows) {
      try {
        const material = JSON.parse(this.sealer.open(r.sealed)) as CredentialMaterial
        credentials.push({ endpoint: r.endpoint, role: r.role, mode: r.mode, material, source: r.source, updatedAt: r.updated_at })
      } catch (e) {
        unreadable.push({ endpoint: r.endpoint, role: r.role, reason: (e as Error).message })
      }
    }
    return { credentials, unreadable }
  }

  /**
   * Saves one credential, replacing the endpoint's credential for that role. Refused ('taken',
   * with the owner) when another endpoint holds the same identity for the role.
   */
  put(c: StoredCredential): { ok: true } | { ok: false; takenBy: string } {
    this.db.exec('BEGIN IMMEDIATE')
    try {
      const owner = this.db
        .prepare('SELECT endpoint FROM security_credentials WHERE role = ? AND identity_hex = ? AND endpoint <> ?')
        .get(c.role, c.material.identity, c.endpoint) as { endpoint: string } | undefined
      if (owner) {
        this.db.exec('ROLLBACK')
        return { ok: false, takenBy: owner.endpoint }
      }
      this.db
        .prepare(
          `INSERT INTO security_credentials (endpoint, role, mode, identity_hex, sealed, source, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(endpoint, role) DO UPDATE SET mode = excluded.mode, identity_hex = excluded.identity_hex, sealed = excluded.sealed,
             source = excluded.source, updated_at = excluded.updated_at`
        )
        .run(c.endpoint, c.role, c.mode, c.material.identity, this.sealer.seal(JSON.stringify(c.material)), c.source, c.updatedAt)
      this.db.exec('COMMIT')
      return { ok: true }
    } catch (e) {
      this.db.exec('ROLLBACK')
      throw e
    }
  }

  delete(endpoint: string, role: StoredRole): boolean {
    return this.db.prepare('DELETE FROM security_credentials WHERE endpoint = ? AND role = ?').run(endpoint, role).changes > 0
  }

  /** Appends handshake records in one transaction and keeps only the newest `keep`; their seqs. */
  appendHandshakes(records: readonly Omit<StoredHandshake, 'seq'>[], keep: number): number[] {
    if (records.length === 0) return []
    const seqs: number[] = []
    this.db.exec('BEGIN IMMEDIATE')
    try {
      const ins = this.db.prepare(
        'INSERT INTO security_handshakes (at, role, direction, peer, identity, endpoint, outcome, cause, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'
      )
      for (const r of records)
        seqs.push(Number(ins.run(r.at, r.role, r.direction, r.peer, r.identity, r.endpoint, r.outcome, r.cause, JSON.stringify(r.record)).lastInsertRowid))
      this.db.prepare('DELETE FROM security_handshakes WHERE seq <= (SELECT MAX(seq) FROM security_handshakes) - ?').run(keep)
      this.db.exec('COMMIT')
      return seqs
    } catch (e) {
      this.db.exec('ROLLBACK')
      throw e
    }
  }

  /** Newest first; `before` is the seq to continue below (the previous page's last). */
  handshakes(q: { endpoint?: string | undefined; outcome?: string | undefined; before?: number | undefined; limit: number }): StoredHandshake[] {
    const where = ['seq < ?']
    const args: (string | number)[] = [q.before ?? Number.MAX_SAFE_INTEGER]
    if (q.endpoint !== undefined) {
      where.push('endpoint = ?')
      args.push(q.endpoint)
    }
    if (q.outcome !== undefined) {
      where.push('outcome = ?')
      args.push(q.outcome)
    }
    const rows = this.db.prepare(`SELECT * FROM security_handshakes WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT ?`).all(...args, q.limit) as Record<string, unknown>[]
    return rows.map((r) => ({
      seq: r.seq as number,
      at: r.at as string,
      role: r.role as string,
      direction: r.direction as string,
      peer: r.peer as string,
      identity: (r.identity as string | null) ?? null,
      endpoint: (r.endpoint as string | null) ?? null,
      outcome: r.outcome as string,
      cause: r.cause as string,
      record: JSON.parse(r.record as string) as Record<string, unknown>
    }))
  }

  handshakeCount(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM security_handshakes').get() as { n: number }).n
  }
}
