// SPDX-License-Identifier: Apache-2.0
// Devices registered with the LwM2M Server role, and the results of operations on them.
import type { JsonRecord } from '../core/lwm2m/json-record'
import type { Violation } from '../core/violation'

export type { JsonRecord } from '../core/lwm2m/json-record'

export interface DeviceSummary {
  readonly endpoint: string
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
  /** Requests waiting for the device to wake up. */
  readonly pending: number
  readonly profileId: string | null
  readonly smsNumber: string | null
}

export interface RegisteredObjectDto {
  readonly path: string
  /** `ver=` the client announced (RD-01), or null. */
  readonly version: string | null
}

export interface QueuedRequestDto {
  readonly id: string
  readonly operation: string
  readonly path: string
  readonly enqueuedAt: string
}

export interface DeviceDetail extends DeviceSummary {
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
