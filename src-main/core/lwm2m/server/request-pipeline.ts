// SPDX-License-Identifier: Apache-2.0
// Requests from this server to each device: queued while the device sleeps (T §6.5) or while an
// earlier one is unacknowledged, then sent one at a time, each with a deadline. An Empty ACK
// (RFC 7252 §5.2.2) frees the device for the next request while this one waits for its separate
// response; a response after the deadline is reported as late and never answers another request.
// Any request can be cancelled; one already sent may still take effect on the device.
import { CancelSignal } from '../../cancel'
import type { Scheduler } from '../../ports'
import type { DownlinkResponse, SendControl } from './messages'

export type RequestState = 'queued' | 'sent' | 'acknowledged'

export interface RequestInfo {
  readonly id: string
  readonly operation: string
  readonly path: string
  readonly state: RequestState
  readonly enqueuedAt: number
  readonly sentAt: number | null
  readonly acknowledgedAt: number | null
  /** Deadline for the answer, counted from sending. */
  readonly timeoutMs: number
}

export class RequestError extends Error {
  constructor(
    readonly code: 'device.timeout' | 'device.request_cancelled' | 'device.invalid_request',
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {}
  ) {
    super(message)
    this.name = 'RequestError'
  }
}

export interface CancelOutcome {
  readonly cancelled: boolean
  /** The state it was in when cancelled, or null when no such request was live. */
  readonly state: RequestState | null
  readonly note: string
}

export interface PipelineOptions {
  readonly scheduler: Scheduler
  /** Whether requests may go to the device now (registered, and awake in queue mode). */
  readonly ready: (endpoint: string) => boolean
  /** The device's list of live requests changed. */
  readonly onChange: (endpoint: string) => void
  /** A request ended (answered or not): for the timeline. */
  readonly onDone: (endpoint: string, info: RequestInfo, outcome: { response: DownlinkResponse } | { error: unknown }) => void
  /** A response came after its request had ended. */
  readonly onLate: (endpoint: string, info: RequestInfo, response: DownlinkResponse) => void
}

/** RequestInfo as the pipeline keeps it: updated in place as the request moves on (one object per request). */
type LiveInfo = { -readonly [K in keyof RequestInfo]: RequestInfo[K] }

interface Live {
  readonly info: LiveInfo
  readonly send: (ctl: SendControl) => Promise<DownlinkResponse>
  readonly resolve: (r: { response: DownlinkResponse; info: RequestInfo }) => void
  readonly reject: (e: unknown) => void
  readonly cancel: CancelSignal
  cancelDeadline: (() => void) | null
}

export class RequestPipeline {
  readonly #live = new Map<string, Live[]>()

  constructor(private readonly o: PipelineOptions) {}

  /** Queues a request; it goes out when the device is ready and nothing unacknowledged is ahead. */
  submit(
    endpoint: string,
    req: { readonly id: string; readonly operation: string; readonly path: string; readonly timeoutMs: number },
    send: (ctl: SendControl) => Promise<DownlinkResponse>
  ): Promise<{ response: DownlinkResponse; info: RequestInfo }> {
    const list = this.#live.get(endpoint) ?? []
    for (const l of list)
      if (l.info.id === req.id) return Promise.reject(new RequestError('device.invalid_request', `request id "${req.id}" is already in use for this device`))
    return new Promise((resolve, reject) => {
      const live: Live = {
        info: { id: req.id, operation: req.operation, path: req.path, timeoutMs: req.timeoutMs, state: 'queued', enqueuedAt: this.o.scheduler.now(), sentAt: null, acknowledgedAt: null },
        send,
        resolve,
        reject,
        cancel: new CancelSignal(),
        cancelDeadline: null
      }
      list.push(live)
      this.#live.set(endpoint, list)
      this.o.onChange(endpoint)
      this.pump(endpoint)
    })
  }

  /** Live requests of a device, oldest first (snapshots: the live ones change as they move on). */
  list(endpoint: string): RequestInfo[] {
    return (this.#live.get(endpoint) ?? []).map((l) => ({ ...l.info }))
  }

  queuedCount(endpoint: string): number {
    let n = 0
    for (const l of this.#live.get(endpoint) ?? []) if (l.info.state === 'queued') n++
    return n
  }

  cancel(endpoint: string, id: string): CancelOutcome {
    const live = (this.#live.get(endpoint) ?? []).find((l) => l.info.id === id)
    if (!live) return { cancelled: false, state: null, note: `no live request "${id}" for this device (it may have finished already)` }
    const state = live.info.state
    const note =
      state === 'queued'
        ? 'cancelled before it was sent: the device never saw it'
        : 'cancelled after it was sent: the device may still carry it out, and a late answer will show on the timeline'
    this.end(endpoint, live, { error: new RequestError('device.request_cancelled', note, { state }) })
    return { cancelled: true, state, note }
  }

  /** Sends what can go now (call when the device is seen, or its registration changed). */
  pump(endpoint: string): void {
    const list = this.#live.get(endpoint)
    if (!list || !this.o.ready(endpoint)) return
    // One unacknowledged request per device at a time (the CoAP layer also holds NSTART = 1).
    let next: Live | undefined
    for (const l of list) {
      if (l.info.state === 'sent') return
      if (next === undefined && l.info.state === 'queued') next = l
    }
    if (next) this.start(endpoint, next)
  }

  /** Ends every request of a device (registration ended, server stopping). */
  dropAll(endpoint: string, why: string): void {
    for (const live of [...(this.#live.get(endpoint) ?? [])])
      this.end(endpoint, live, { error: new RequestError('device.request_cancelled', why, { state: live.info.state }) })
    if (this.#live.get(endpoint)?.length === 0) this.#live.delete(endpoint)
  }

  close(): void {
    for (const endpoint of [...this.#live.keys()]) this.dropAll(endpoint, 'the server stopped')
  }

  private start(endpoint: string, live: Live): void {
    live.info.state = 'sent'
    live.info.sentAt = this.o.scheduler.now()
    live.cancelDeadline = this.o.scheduler.schedule(live.info.timeoutMs, () => {
      const acked = live.info.state === 'acknowledged'
      const s = Math.round(live.info.timeoutMs / 100) / 10
      this.end(endpoint, live, {
        error: new RequestError(
          'device.timeout',
          acked
            ? `the device acknowledged the request but sent no answer within ${s} s`
            : `no answer from the device within ${s} s`,
          { timeoutMs: live.info.timeoutMs, acknowledged: acked }
        )
      })
    })
    this.o.onChange(endpoint)
    let sent: Promise<DownlinkResponse>
    try {
      sent = live.send({
        timeoutMs: live.info.timeoutMs,
        cancel: live.cancel,
        onAck: () => {
          if (live.info.state !== 'sent') return
          live.info.state = 'acknowledged'
          live.info.acknowledgedAt = this.o.scheduler.now()
          this.o.onChange(endpoint)
          this.pump(endpoint)
        },
        onLate: (response) => this.o.onLate(endpoint, live.info, response)
      })
    } catch (error) {
      sent = Promise.reject(error)
    }
    sent.then(
      (response) => this.end(endpoint, live, { response }),
      (error: unknown) => this.end(endpoint, live, { error })
    )
  }

  private end(endpoint: string, live: Live, outcome: { response: DownlinkResponse } | { error: unknown }): void {
    const list = this.#live.get(endpoint)
    const i = list?.indexOf(live) ?? -1
    if (!list || i < 0) return // ended already (deadline or cancel came first)
    list.splice(i, 1)
    // An emptied list stays until the device's requests are dropped: deleting and re-adding the
    // key per request would churn the Map's table (see core/churn-table.ts).

    live.cancelDeadline?.()
    if ('error' in outcome) live.cancel.cancel(outcome.error instanceof Error ? outcome.error : new Error(String(outcome.error)))
    try {
      this.o.onDone(endpoint, live.info, outcome)
    } finally {
      if ('response' in outcome) live.resolve({ response: outcome.response, info: live.info })
      else live.reject(outcome.error)
      this.o.onChange(endpoint)
      this.pump(endpoint)
    }
  }
}
