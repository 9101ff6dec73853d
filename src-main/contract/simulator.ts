// SPDX-License-Identifier: Apache-2.0
// The simulator (issue 14): fleets of simulated LwM2M clients started from a profile, their
// counts per state, one device's sensors and faults, and the schema of a fault.
import type { Fault } from '../core/lwm2m/client/profile'
import { integer, literal, number, object, optional, string, type Schema } from './schema'

export type { Fault } from '../core/lwm2m/client/profile'

export type SimulatedState = 'starting' | 'bootstrapping' | 'registering' | 'registered' | 'sleeping' | 'failed' | 'stopped'

export interface FleetDto {
  readonly fleetId: string
  /** The profile's name. */
  readonly profile: string
  readonly target: string
  readonly role: 'server' | 'bootstrap'
  readonly lwm2m: '1.0' | '1.1' | '1.2'
  readonly total: number
  readonly states: Readonly<Record<SimulatedState, number>>
  readonly bootstrapped: number
  readonly failures: number
  readonly startedAt: string
  /** The first endpoints (up to 50), for the view to pick one. */
  readonly endpoints: readonly string[]
}

export interface SimulatedValueDto {
  readonly path: string
  readonly name: string
  readonly type: string
  /** As text ("21.5", "true", "3:0", hex for opaque). */
  readonly value: string
  /** Changed by a generator. */
  readonly generated: boolean
  /** simulator.set takes it: the device sets any value its model knows, read-only ones included (a sensor reading). */
  readonly writable: boolean
}

export interface SimulatedDeviceDto {
  readonly endpoint: string
  readonly fleetId: string
  readonly state: SimulatedState
  readonly detail: string | null
  readonly localPort: number | null
  /** `lwm2mVersion`: the version registered with, lower than the profile's after the server refused it (4.12). */
  readonly servers: ReadonlyArray<{ ssid: number; uri: string; state: string; location: string | null; attempts: number; lastError: string | null; lwm2mVersion: string }>
  readonly values: readonly SimulatedValueDto[]
  readonly observations: number
  readonly faults: readonly Fault[]
  readonly dropped: number
  /** The device's last DTLS handshake per coaps:// server (suite and CID, or why it failed). */
  readonly dtls: ReadonlyArray<{ readonly peer: string; readonly ok: boolean; readonly detail: string }>
}

/** 0..1, checked by the service (the schema has no number ranges). */
const share = number()
const code = string({ pattern: /^[45]\.[0-9]{2}$/, maxLength: 4 })
const simPath = string({ minLength: 1, maxLength: 64, pattern: /^\/[0-9/]*$/ })
const operation = optional(literal('read', 'write', 'execute', 'create', 'delete', 'observe', 'discover', 'write-attributes'))

/** One fault; `kind` decides which fields matter (docs/simulator-profile.md). */
export const FAULT_SCHEMA = object({
  kind: literal('drop', 'delay', 'error', 'malformed', 'silent'),
  share: optional(share),
  direction: optional(literal('in', 'out', 'both')),
  ms: optional(integer(0, 600_000)),
  path: optional(simPath),
  code: optional(code),
  operation
}) as unknown as Schema<Fault>

export interface ProfileInfo {
  readonly name: string
  readonly description: string
  readonly lwm2m: string
  readonly queue: boolean
  readonly objects: readonly number[]
}
