// SPDX-License-Identifier: Apache-2.0
// Packet-list rows from the store's columns: the summary is built from the facts the analyzer
// kept (operation, endpoint, path, code), so listing a window never decodes a payload.
import type { CaptureFrameDto } from '../contract/capture'
import { codeName } from '../core/coap/describe'
import { NO_OP } from '../core/inspect/analyzer'
import type { FrameRow } from '../core/inspect/frame-store'
import { pathWithNames } from '../core/inspect/lwm2m-dissector'
import { OPERATIONS, operationTitle, responseMeaning, type Operation } from '../core/inspect/operation'
import { parsePath } from '../core/lwm2m/path'
import type { ModelLookup } from '../core/lwm2m/model'

function codeText(code: number): string | null {
  if (code < 0) return null
  if (code > 0 && code < 32) return codeName(code)
  return `${code >> 5}.${String(code & 31).padStart(2, '0')}`
}

export function frameSummary(r: FrameRow, models?: ModelLookup): string {
  const op = r.op === NO_OP ? null : (OPERATIONS[r.op] as Operation)
  const parts: string[] = []
  if (r.code < 0) return r.protocol === 1 ? 'DTLS (encrypted)' : `not CoAP (${r.size} B)`
  const isRequest = r.code > 0 && r.code < 32
  if (op !== null) parts.push(operationTitle(op))
  else parts.push(r.code === 0 ? 'Empty' : isRequest ? `CoAP ${codeName(r.code)}` : 'Response')
  if (r.path !== null) {
    const p = parsePath(r.path)
    parts.push(p.ok ? pathWithNames(p.path, models) : r.path)
  }
  if (!isRequest && r.code > 0) parts.push(responseMeaning(op, r.code).split(':')[0] as string)
  if (r.retransmission) parts.push('(retransmission)')
  return parts.join(' ')
}

export function frameDto(r: FrameRow, models?: ModelLookup): CaptureFrameDto {
  return {
    id: r.id,
    at: r.at,
    direction: r.direction,
    transport: r.transport,
    src: r.src,
    dst: r.dst,
    endpoint: r.ep,
    op: r.op === NO_OP ? null : (OPERATIONS[r.op] ?? null),
    code: codeText(r.code),
    summary: frameSummary(r, models),
    size: r.size,
    rtt: r.rtt >= 0 ? Math.round(r.rtt * 10) / 10 : null,
    retransmission: r.retransmission,
    notification: r.notification,
    pair: r.pair >= 0 ? r.pair : null
  }
}
