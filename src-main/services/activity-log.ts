// SPDX-License-Identifier: Apache-2.0
// Today's request outcomes, recent expiries and the last few registrations and failures, counted
// from the LwM2M Server's timeline entries as they happen (issue 13 items 15–16). Plain numbers and
// a fixed ring: the server takes 10 000 registrations a second and each entry must cost next to
// nothing here. Times are the scheduler's (monotonic ms); the caller turns them into wall time.
import type { TimelineEntry } from '../core/lwm2m/server/timeline'

export interface RecentDeviceEvent {
  readonly at: number
  readonly kind: 'registered' | 'expired' | 'deregistered' | 'request-failed'
  readonly endpoint: string
  readonly text: string
}

const RING = 32
const HOUR_MS = 3_600_000

export class ActivityLog {
  #day = -1
  #timeouts = 0
  #errors = 0
  /** Expiry times within the last hour, oldest first. */
  #expiries: number[] = []
  readonly #ring: (RecentDeviceEvent | undefined)[] = new Array<RecentDeviceEvent | undefined>(RING)
  #next = 0

  /** @param dayOf the local day number of a scheduler time (changes at local midnight). */
  constructor(private readonly dayOf: (t: number) => number) {}

  add(endpoint: string, e: TimelineEntry): void {
    switch (e.kind) {
      case 'registered':
      case 'deregistered':
        this.push({ at: e.at, kind: e.kind, endpoint, text: e.text })
        return
      case 'expired':
        this.#expiries.push(e.at)
        if (this.#expiries.length > 100_000) this.prune(e.at)
        this.push({ at: e.at, kind: 'expired', endpoint, text: e.text })
        return
      case 'request': {
        const failed = e.code === undefined ? 'no-code' : e.code.startsWith('4.') || e.code.startsWith('5.') ? 'error' : null
        if (failed === null) return
        this.rollDay(e.at)
        // A request that ended without a code either ran out of time or failed to be sent.
        if (failed === 'no-code' && /\bno (answer|acknowledgement|response)\b/.test(e.text)) this.#timeouts++
        else this.#errors++
        this.push({ at: e.at, kind: 'request-failed', endpoint, text: e.text })
        return
      }
      default:
    }
  }

  counts(now: number): { expiredLastHour: number; requestTimeouts: number; requestErrors: number } {
    this.rollDay(now)
    this.prune(now)
    return { expiredLastHour: this.#expiries.length, requestTimeouts: this.#timeouts, requestErrors: this.#errors }
  }

  /** Newest first. */
  recent(): RecentDeviceEvent[] {
    const out: RecentDeviceEvent[] = []
    for (let i = 1; i <= RING; i++) {
      const e = this.#ring[(this.#next - i + RING) % RING]
      if (e) out.push(e)
    }
    return out
  }

  private push(e: RecentDeviceEvent): void {
    this.#ring[this.#next] = e
    this.#next = (this.#next + 1) % RING
  }

  private rollDay(t: number): void {
    const d = this.dayOf(t)
    if (d === this.#day) return
    this.#day = d
    this.#timeouts = 0
    this.#errors = 0
  }

  private prune(now: number): void {
    let drop = 0
    while (drop < this.#expiries.length && (this.#expiries[drop] as number) <= now - HOUR_MS) drop++
    if (drop > 0) this.#expiries = this.#expiries.slice(drop)
  }
}
