// SPDX-License-Identifier: Apache-2.0
// Core results → contract DTOs (JSON-safe: records in the decode CLI shape, times as ISO strings).
import type { DeviceDetail, DeviceSummary, OperationResultDto, QueuedRequestDto } from '../contract/devices'
import { isWarningRule } from '../core/lwm2m/formats/warnings'
import { toJsonRecord } from '../core/lwm2m/json-record'
import type { OperationResult, QueuedRequest } from '../core/lwm2m/server/lwm2m-server'
import type { Registration } from '../core/lwm2m/server/registry'

/** Scheduler time (monotonic ms) → wall clock, fixed at start so every time shifts the same way. */
export class WallClock {
  readonly #offset: number
  constructor(monotonicNow: number) {
    this.#offset = Date.now() - monotonicNow
  }
  iso(t: number): string {
    return new Date(this.#offset + t).toISOString()
  }
}

function hex(b: Uint8Array): string {
  let s = ''
  for (const x of b) s += x.toString(16).padStart(2, '0')
  return s
}

export function resultDto(r: OperationResult, clock: WallClock): OperationResultDto {
  return {
    code: r.codeText,
    meaning: r.meaning,
    success: r.code >> 5 === 2,
    contentFormat: r.contentFormat,
    records: r.records.map(toJsonRecord),
    violations: r.violations.map((v) => ({ ...v, severity: isWarningRule(v.rule) ? ('warning' as const) : ('error' as const) })),
    // decodePayload's count; OperationResult passes it on once the server copies it (until then
    // the list itself, already capped at the decode boundary).
    violationsTotal: (r as { readonly violationsTotal?: number }).violationsTotal ?? r.violations.length,
    payloadHex: hex(r.payload),
    ...(r.locationPath ? { locationPath: '/' + r.locationPath.join('/') } : {}),
    at: clock.iso(r.at)
  }
}

export function summaryDto(r: Registration, awake: boolean, pending: number, clock: WallClock): DeviceSummary {
  return {
    endpoint: r.endpoint,
    registrationId: r.id,
    lwm2mVersion: r.lwm2mVersion,
    binding: r.binding,
    queueMode: r.queueMode,
    awake,
    address: r.peer.display,
    lifetime: r.lifetime,
    registeredAt: clock.iso(r.registeredAt),
    lastSeen: clock.iso(r.lastSeen),
    expiresAt: r.expiresAt === null ? null : clock.iso(r.expiresAt),
    pending,
    profileId: r.profileId,
    smsNumber: r.smsNumber
  }
}

export function queueDto(q: readonly QueuedRequest[], clock: WallClock): QueuedRequestDto[] {
  return q.map((p) => ({ id: p.id, operation: p.operation, path: p.path, enqueuedAt: clock.iso(p.enqueuedAt) }))
}

export function detailDto(r: Registration, summary: DeviceSummary, observations: string[], queue: QueuedRequestDto[]): DeviceDetail {
  return {
    ...summary,
    objects: r.objects.map((o) => ({ path: o.instanceId === null ? `/${o.objectId}` : `/${o.objectId}/${o.instanceId}`, version: o.version })),
    alternatePath: r.alternatePath,
    contentFormats: r.contentFormats,
    observations,
    queue
  }
}
