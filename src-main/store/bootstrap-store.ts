// SPDX-License-Identifier: Apache-2.0
// Bootstrap configurations and the record of every bootstrap run.
import type { DatabaseSync } from 'node:sqlite'

export interface StoredRun {
  id: string
  endpoint: string
  kind: string
  peer: string
  startedAt: string
  finishedAt: string | null
  outcome: string
  detail: string
  format: number | null
  clientVersion: string | null
  steps: unknown[]
  /** What the run used and wrote (migration 3); runs recorded before read as empty. */
  config: unknown
  bootstrapAccount: number | null
  instances: unknown[]
  written: unknown[]
}

/** Seals and opens the stored configuration JSON (it holds keys). */
export interface Sealer {
  seal(plaintext: string): string
  open(stored: string): string
}

export class BootstrapStore {
  constructor(
    private readonly db: DatabaseSync,
    private readonly sealer: Sealer
  ) {}

  configs(): { endpoint: string; config: unknown; updatedAt: string }[] {
    const rows = this.db.prepare('SELECT endpoint, config, updated_at FROM bootstrap_configs ORDER BY endpoint').all() as {
      endpoint: string
      config: string
      updated_at: string
    }[]
    return rows.map((r) => ({ endpoint: r.endpoint, config: JSON.parse(this.sealer.open(r.config)) as unknown, updatedAt: r.updated_at }))
  }

  config(endpoint: string): unknown | undefined {
    const row = this.db.prepare('SELECT config FROM bootstrap_configs WHERE endpoint = ?').get(endpoint) as { config: string } | undefined
    return row ? (JSON.parse(this.sealer.open(row.config)) as unknown) : undefined
  }

  putConfig(endpoint: string, config: unknown, now: Date): void {
    this.db
      .prepare(
        `INSERT INTO bootstrap_configs (endpoint, config, updated_at) VALUES (?, ?, ?)
         ON CONFLICT(endpoint) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at`
      )
      .run(endpoint, this.sealer.seal(JSON.stringify(config)), now.toISOString())
  }

  deleteConfig(endpoint: string): boolean {
    return this.db.prepare('DELETE FROM bootstrap_configs WHERE endpoint = ?').run(endpoint).changes > 0
  }

  /**
   * Renames in one transaction: the old name is gone when the new one exists, and a name already
   * taken is refused (false) rather than overwritten.
   */
  renameConfig(from: string, to: string, now: Date): 'renamed' | 'missing' | 'taken' {
    this.db.exec('BEGIN IMMEDIATE')
    try {
      const row = this.db.prepare('SELECT config FROM bootstrap_configs WHERE endpoint = ?').get(from) as { config: string } | undefined
      const taken = this.db.prepare('SELECT 1 FROM bootstrap_configs WHERE endpoint = ?').get(to) !== undefined
      if (!row || taken) {
        this.db.exec('ROLLBACK')
        return row ? 'taken' : 'missing'
      }
      // The endpoint is also inside the sealed JSON: reseal it with the new name.
      const config = { ...(JSON.parse(this.sealer.open(row.config)) as Record<string, unknown>), endpoint: to }
      this.db.prepare('DELETE FROM bootstrap_configs WHERE endpoint = ?').run(from)
      this.db.prepare('INSERT INTO bootstrap_configs (endpoint, config, updated_at) VALUES (?, ?, ?)').run(to, this.sealer.seal(JSON.stringify(config)), now.toISOString())
      this.db.exec('COMMIT')
      return 'renamed'
    } catch (e) {
      this.db.exec('ROLLBACK')
      throw e
    }
  }

  configCount(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM bootstrap_configs').get() as { n: number }).n
  }

  /** Finished runs since `sinceIso`, by outcome (the Overview's day counts). */
  runCounts(sinceIso: string): { success: number; failed: number } {
    const rows = this.db.prepare("SELECT outcome, COUNT(*) AS n FROM bootstrap_runs WHERE started_at >= ? AND outcome IN ('success', 'failed') GROUP BY outcome").all(sinceIso) as {
      outcome: string
      n: number
    }[]
    return { success: rows.find((r) => r.outcome === 'success')?.n ?? 0, failed: rows.find((r) => r.outcome === 'failed')?.n ?? 0 }
  }

  saveRun(r: StoredRun): void {
    this.db
      .prepare(
        `INSERT INTO bootstrap_runs (id, endpoint, kind, peer, started_at, finished_at, outcome, detail, format, client_version, steps, record)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET finished_at = excluded.finished_at, outcome = excluded.outcome, detail = excluded.detail,
           format = excluded.format, client_version = excluded.client_version, steps = excluded.steps, record = excluded.record`
      )
      .run(
        r.id,
        r.endpoint,
        r.kind,
        r.peer,
        r.startedAt,
        r.finishedAt,
        r.outcome,
        r.detail,
        r.format,
        r.clientVersion,
        JSON.stringify(r.steps),
        JSON.stringify({ config: r.config, bootstrapAccount: r.bootstrapAccount, instances: r.instances, written: r.written })
      )
  }

  runs(endpoint: string | undefined, limit: number): StoredRun[] {
    const rows = (
      endpoint
        ? this.db.prepare('SELECT * FROM bootstrap_runs WHERE endpoint = ? ORDER BY started_at DESC LIMIT ?').all(endpoint, limit)
        : this.db.prepare('SELECT * FROM bootstrap_runs ORDER BY started_at DESC LIMIT ?').all(limit)
    ) as Record<string, unknown>[]
    return rows.map((r) => {
      const record = (r.record ? JSON.parse(r.record as string) : {}) as Partial<Pick<StoredRun, 'config' | 'bootstrapAccount' | 'instances' | 'written'>>
      return {
        id: r.id as string,
        endpoint: r.endpoint as string,
        kind: r.kind as string,
        peer: r.peer as string,
        startedAt: r.started_at as string,
        finishedAt: (r.finished_at as string | null) ?? null,
        outcome: r.outcome as string,
        detail: r.detail as string,
        format: (r.format as number | null) ?? null,
        clientVersion: (r.client_version as string | null) ?? null,
        steps: JSON.parse(r.steps as string) as unknown[],
        config: record.config ?? null,
        bootstrapAccount: record.bootstrapAccount ?? null,
        instances: record.instances ?? [],
        written: record.written ?? []
      }
    })
  }
}
