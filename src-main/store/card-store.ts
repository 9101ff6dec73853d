// SPDX-License-Identifier: Apache-2.0
// The record of every smart-card write (migration 5): reader, ATR, ICCID, configuration hash, outcome.
import type { DatabaseSync } from 'node:sqlite'
import type { CardWriteRecordDto } from '../contract/cards'

export class CardStore {
  constructor(private readonly db: DatabaseSync) {}

  save(r: CardWriteRecordDto): void {
    this.db
      .prepare(
        `INSERT INTO card_writes (id, at, reader, atr, iccid, endpoint, config_hash, outcome, file_state, detail, bytes)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
      )
      .run(r.id, r.at, r.reader, r.atr, r.iccid, r.endpoint, r.configHash, r.outcome, r.fileState, r.detail, r.bytes)
  }

  list(limit: number): CardWriteRecordDto[] {
    const rows = this.db.prepare('SELECT * FROM card_writes ORDER BY at DESC, rowid DESC LIMIT ?').all(limit) as Record<string, unknown>[]
    return rows.map((r) => ({
      id: r.id as string,
      at: r.at as string,
      reader: r.reader as string,
      atr: r.atr as string,
      iccid: (r.iccid as string | null) ?? null,
      endpoint: r.endpoint as string,
      configHash: r.config_hash as string,
      outcome: r.outcome as CardWriteRecordDto['outcome'],
      fileState: r.file_state as CardWriteRecordDto['fileState'],
      detail: r.detail as string,
      bytes: r.bytes as number
    }))
  }
}
