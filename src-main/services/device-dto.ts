// SPDX-License-Identifier: Apache-2.0
// Core results → contract DTOs (JSON-safe: records in the decode CLI shape, times as ISO strings).
import type { DeviceDetail, DeviceSummary, ObservationDto, OperationResultDto, QueuedRequestDto, TimelineEntryDto } from '../contract/devices'
import { isWarningRule } from '../core/lwm2m/formats/warnings'
import { toJsonRecord } from '../core/lwm2m/json-record'
import type { OperationResult, QueuedRequest } from '../core/lwm2m/server/lwm2m-server'
import type { ObservationRecord } from '../core/lwm2m/server/observations'
import type { Registration } from '../core/lwm2m/server/registry'
import type { TimelineEntry } from '../core/lwm2m/server/timeline'

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
    violationsTotal: r.violationsTotal,
    payloadHex: hex(r.payload),
    ...(r.locationPath ? { locationPath: '/' + r.locationPath.join('/') } : {}),
    at: clock.iso(r.at),
    ...(r.requestId !== undefined ? { requestId: r.requestId } : {}),
    ...(r.durationMs !== undefined ? { durationMs: Math.round(r.durationMs) } : {}),
    ...(r.steps ? { steps: r.steps.map((s) => ({ operation: s.operation, path: s.path, code: s.codeText, meaning: s.meaning })) } : {}),
    ...(r.notes ? { notes: r.notes } : {}),
    ...(r.suggestion ? { suggestion: r.suggestion } : {})
  }
}

export function timelineEntryDto(e: TimelineEntry, clock: WallClock): TimelineEntryDto {
  // text by name: an answered request's line is a getter, which a spread does not copy.
  return { ...e, text: e.text, at: clock.iso(e.at), ...(e.durationMs !== undefined ? { durationMs: Math.round(e.durationMs) } : {}) }
}

export function observationDto(o: ObservationRecord, clock: WallClock): ObservationDto {
  return {
    id: o.id,
    operation: o.operation,
    paths: o.paths,
    attributes: o.attributes,
    since: clock.iso(o.since),
    lastNotificationAt: o.lastNotificationAt === null ? null : clock.iso(o.lastNotificationAt),
    lastValue: resultDto(o.lastResult, clock),
    notifications: o.notifications,
    attachedAttributes: o.attached ? o.attached.query : null
  }
}

export function summaryDto(r: Registration, awake: boolean, pending: number, clock: WallClock, ended: 'expired' | 'deregistered' | null = null): DeviceSummary {
  return {
    endpoint: r.endpoint,
    state: ended ?? (r.queueMode && !awake ? 'sleeping' : 'registered'),
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

export function queueDto(q: readonly QueuedRequest[], clock: WallClock, now: number): QueuedRequestDto[] {
  return q.map((p) => ({
    id: p.id,
    operation: p.operation,
    path: p.path,
    state: p.state,
    enqueuedAt: clock.iso(p.enqueuedAt),
    sentAt: p.sentAt === null ? null : clock.iso(p.sentAt),
    acknowledgedAt: p.acknowledgedAt === null ? null : clock.iso(p.acknowledgedAt),
    ageMs: Math.round(now - p.enqueuedAt),
    timeoutMs: p.timeoutMs
  }))
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
