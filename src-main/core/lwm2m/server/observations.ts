// SPDX-License-Identifier: Apache-2.0
// The observations this server holds on devices (C §6.4), with what a person wants to see of each:
// what is observed with which attributes, since when, how often it notified and its last value.
import type { Path } from '../path'
import type { OperationResult } from './lwm2m-server'

export interface ObservationRecord {
  readonly id: string
  readonly endpoint: string
  /** 'Observe' or 'Observe-Composite'. */
  readonly operation: string
  readonly paths: readonly string[]
  readonly attributes: string
  readonly since: number
  lastNotificationAt: number | null
  /** The registration response, then the latest notification. */
  lastResult: OperationResult
  notifications: number
  /** Attributes this tool attached with Write-Attributes for it (1.0/1.1 route); they outlive it. */
  readonly attached: { readonly paths: readonly Path[]; readonly names: readonly string[]; readonly query: string; readonly prefix?: string } | null
  readonly cancel: (how: 'get' | 'rst') => Promise<void>
}

export class ObservationTable {
  readonly #byId = new Map<string, ObservationRecord>()

  add(o: ObservationRecord): void {
    this.#byId.set(o.id, o)
  }
  get(id: string): ObservationRecord | undefined {
    return this.#byId.get(id)
  }
  remove(id: string): ObservationRecord | undefined {
    const o = this.#byId.get(id)
    this.#byId.delete(id)
    return o
  }
  notified(id: string, result: OperationResult): void {
    const o = this.#byId.get(id)
    if (!o) return
    o.notifications++
    o.lastNotificationAt = result.at
    o.lastResult = result
  }
  list(endpoint?: string): ObservationRecord[] {
    const out: ObservationRecord[] = []
    for (const o of this.#byId.values()) if (endpoint === undefined || o.endpoint === endpoint) out.push(o)
    return out
  }
}
