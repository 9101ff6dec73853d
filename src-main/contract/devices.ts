// SPDX-License-Identifier: Apache-2.0
// Devices registered with the LwM2M Server role, and the results of operations on them.
import type { JsonRecord } from '../core/lwm2m/json-record'
import type { Violation } from '../core/violation'
import type { TimelineEntry, TimelineKind } from '../core/lwm2m/server/timeline'

export type { JsonRecord } from '../core/lwm2m/json-record'

/** Never "registered" once the registration ended: a list must not show an ended device as live. */
export type DeviceState = 'registered' | 'sleeping' | 'expired' | 'deregistered'

/** Columns devices.list sorts by. */
export const DEVICE_SORT_KEYS = ['endpoint', 'state', 'lwm2mVersion', 'binding', 'address', 'lifetime', 'expiresAt', 'pending', 'registeredAt', 'lastSeen'] as const
export type DeviceSortKey = (typeof DEVICE_SORT_KEYS)[number]

export interface DeviceSummary {
  readonly endpoint: string
  /** registered (live, reachable), sleeping (queue mode, not awake), expired or deregistered (ended). */
  readonly state: DeviceState
  readonly registrationId: string
  readonly lwm2mVersion: string
  readonly binding: string
  readonly queueMode: boolean
  /** Whether a queue-mode device is assumed awake (always true without queue mode). */
  readonly awake: boolean
  readonly address: string
  readonly lifetime: number
  readonly registeredAt: string
  readonly lastSeen: string
  /** null: lifetime 0, no expiry. */
  readonly expiresAt: string | null
  /** Requests waiting to be sent (device asleep, or one ahead of them unacknowledged). */
  readonly pending: number
  readonly profileId: string | null
  readonly smsNumber: string | null
}

export interface RegisteredObjectDto {
  readonly path: string
  /** `ver=` the client announced (RD-01), or null. */
  readonly version: string | null
}

/** A request to a device that has not ended: waiting, sent, or acknowledged (Empty ACK) and awaiting its answer. */
export interface QueuedRequestDto {
  readonly id: string
  readonly operation: string
  readonly path: string
  readonly state: 'queued' | 'sent' | 'acknowledged'
  readonly enqueuedAt: string
  readonly sentAt: string | null
  readonly acknowledgedAt: string | null
  /** Milliseconds since it was queued. */
  readonly ageMs: number
  /** Its deadline, counted from sending. */
  readonly timeoutMs: number
}

export interface CancelResultDto {
  readonly cancelled: boolean
  /** The state it was in, or null when no such request was live (it may have finished). */
  readonly state: 'queued' | 'sent' | 'acknowledged' | null
  /** Plainly: whether the device may still carry it out. */
  readonly note: string
}

/** What a timeline entry records (registered, takeover, request, late-response, expired, …). */
export type { TimelineKind }

/** One step of a device's story, kept by the server (devices.timeline): the core entry, time as ISO. */
export type TimelineEntryDto = Omit<TimelineEntry, 'at'> & { readonly at: string }

export interface TimelinePage {
  readonly endpoint: string
  readonly entries: readonly TimelineEntryDto[]
  /** Pass back as `cursor` for the entries after these. */
  readonly nextCursor: number
  readonly total: number
  /** Whether the device is registered now (false: its registration ended, history kept for a while). */
  readonly live: boolean
}

export interface ObservationDto {
  readonly id: string
  /** 'Observe' or 'Observe-Composite'. */
  readonly operation: string
  readonly paths: readonly string[]
  readonly attributes: string
  readonly since: string
  readonly lastNotificationAt: string | null
  readonly lastValue: OperationResultDto
  readonly notifications: number
  /** Attributes attached with Write-Attributes for it (1.0/1.1 clients); they stay on the device. */
  readonly attachedAttributes: string | null
}

export interface DeviceDetail extends DeviceSummary {
  /** When the registration ended (state expired or deregistered; kept for server.historyMinutes). */
  readonly endedAt?: string
  readonly objects: readonly RegisteredObjectDto[]
  readonly alternatePath: string | null
  readonly contentFormats: readonly number[]
  readonly observations: readonly string[]
  readonly queue: readonly QueuedRequestDto[]
}

/** A device's answer, decoded: the same record shape as `lwm2m-wb decode`. */
export interface OperationResultDto {
  /** "2.05" */
  readonly code: string
  readonly meaning: string
  readonly success: boolean
  readonly contentFormat: number | null
  readonly records: readonly JsonRecord[]
  /** What the decoder found wrong in the device's payload; a warning accepts it as it stands. */
  readonly violations: readonly (Violation & { readonly severity: 'error' | 'warning' })[]
  /** Every violation found; `violations` lists the first 100 (issue 12 item 19). */
  readonly violationsTotal: number
  readonly payloadHex: string
  readonly locationPath?: string
  readonly at: string
  /** The request's id (caller-chosen or given by the server). */
  readonly requestId?: string
  /** From sending to the answer. */
  readonly durationMs?: number
  /** Each request of a multi-step operation (Write-Attributes, then Observe). */
  readonly steps?: readonly { readonly operation: string; readonly path: string; readonly code: string; readonly meaning: string }[]
  /** What a person should know about this answer. */
  readonly notes?: readonly string[]
  /** A route worth trying when this one was refused. */
  readonly suggestion?: 'write-attributes-route'
}

export interface ObserveResultDto extends OperationResultDto {
  /** null when the device answered without establishing an observation. */
  readonly observationId: string | null
}

export interface DevicesPage {
  readonly devices: readonly DeviceSummary[]
  readonly total: number
  readonly cursor: number
}
