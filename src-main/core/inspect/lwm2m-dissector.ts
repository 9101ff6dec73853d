// SPDX-License-Identifier: Apache-2.0
// LwM2M meaning on top of a CoAP message: the operation, the endpoint, the path with object and
// resource names from the models, the payload decoded by its content format into typed records
// (through the same format decoders the roles use), what the response code means for the
// operation, and the LwM2M rules the message breaks.
import { toHex } from '../bytes'
import { Option, type CoapMessage } from '../coap/message'
import '../lwm2m/formats/all'
import { decodePayload } from '../lwm2m/formats/registry'
import { CF } from '../lwm2m/content-format'
import { findResource, type ModelLookup } from '../lwm2m/model'
import type { Path } from '../lwm2m/path'
import { formatObjectLink, type Value } from '../lwm2m/value'
import type { Lwm2mRecord } from '../lwm2m/record'
import { field, type Field } from './field'
import { contentFormatLabel } from './coap-dissector'
import { classifyRequest, operationTitle, requestShape, responseMeaning, SUCCESS_CODE, type Operation, type RequestShape } from './operation'

export interface Lwm2mProblem {
  readonly rule: string
  readonly section: string
  readonly message: string
}

/** What the inspector knows about the request a response answers (from exchange pairing). */
export interface RequestContext {
  readonly op: Operation | null
  readonly segments: readonly string[]
}

export interface Lwm2mContext {
  readonly models?: ModelLookup
  /** The sender of a request is a Bootstrap-Server in a session with the device. */
  readonly bootstrap?: boolean
  /** For a response: its request. */
  readonly request?: RequestContext
  /** A response that is a later notification of an observation. */
  readonly notification?: boolean
}

export interface Lwm2mMeaning {
  readonly op: Operation | null
  readonly isRequest: boolean
  readonly endpoint: string | null
  /** "/3/0/1" or null when the message names no object path. */
  readonly path: string | null
  readonly contentFormat: number | null
  readonly records: readonly Lwm2mRecord[]
  readonly problems: readonly Lwm2mProblem[]
  /** Packet-list summary in LwM2M terms. */
  readonly summary: string
  readonly fields: Field[]
}

const isId = (s: string): boolean => /^(0|[1-9][0-9]{0,4})$/.test(s)

/** The object path a request's Uri-Path names (the numeric tail, after a prefix or alternate path). */
export function objectPath(segments: readonly string[]): Path | null {
  const ids: number[] = []
  for (let i = segments.length - 1; i >= 0 && ids.length < 4; i--) {
    const s = segments[i] as string
    if (!isId(s) || Number(s) > 65535) break
    ids.unshift(Number(s))
  }
  if (ids.length === 0) return null
  return ids as unknown as Path
}

/** "/3/0/1 Device › Firmware Version" with names where the models know them. */
export function pathWithNames(path: Path, models?: ModelLookup): string {
  const text = '/' + path.join('/')
  if (!models || path.length === 0) return text
  const obj = models.get(path[0] as number)
  if (!obj) return text
  const res = path.length >= 3 ? findResource(obj, path[2] as number) : undefined
  return res ? `${text} ${obj.name} › ${res.name}` : `${text} ${obj.name}`
}

export function valueText(v: Value | undefined): string {
  if (v === undefined) return '(path only)'
  switch (v.type) {
    case 'opaque':
      return `0x${toHex(v.value.subarray(0, 32))}${v.value.length > 32 ? '…' : ''} (${v.value.length} B)`
    case 'objlnk':
      return formatObjectLink(v.value)
    case 'none':
      return 'null'
    case 'string':
    case 'corelnk':
      return JSON.stringify(v.value)
    default:
      return String(v.value)
  }
}

function queryValue(query: readonly string[], key: string): string | null {
  for (const q of query) if (q.startsWith(`${key}=`)) return q.slice(key.length + 1)
  return null
}

const SECTION_REGISTER = 'LwM2M 1.2 Core §6.2.1'
const SECTION_FORMATS = 'LwM2M 1.2 Core §7.5'
const SECTION_OPS = 'LwM2M 1.2 Transport §6'

/** LwM2M meaning of one CoAP message; `payloadAt` is where the payload starts in the buffer. */
export function dissectLwm2m(m: CoapMessage, payloadAt: number, ctx: Lwm2mContext): Lwm2mMeaning {
  const problems: Lwm2mProblem[] = []
  const fields: Field[] = []
  const isRequest = m.code > 0 && m.code < 32
  let op: Operation | null = null
  let shape: RequestShape | null = null
  let segments: readonly string[] = []
  let endpoint: string | null = null
  if (isRequest) {
    shape = requestShape(m)
    op = classifyRequest(m.code, shape, ctx.bootstrap === true)
    segments = shape.segments
    endpoint = queryValue(shape.query, 'ep')
    if (op === 'register' && endpoint === null) {
      problems.push({ rule: 'lwm2m.register-no-endpoint', section: SECTION_REGISTER, message: 'Register carries no ep= query parameter (the Endpoint Client Name is mandatory).' })
    }
    if (op === 'register' && queryValue(shape.query, 'lwm2m') === null) {
      problems.push({ rule: 'lwm2m.register-no-version', section: SECTION_REGISTER, message: 'Register carries no lwm2m= query parameter (the LwM2M version is mandatory since 1.1).' })
    }
  } else if (m.code !== 0) {
    op = ctx.notification ? 'notify' : ctx.request?.op ?? null
    segments = ctx.request?.segments ?? []
    if (op !== null && m.code >> 5 === 2 && m.code !== 0x5f && m.code !== SUCCESS_CODE[op] && !(op === 'write' && m.code === SUCCESS_CODE.create)) {
      problems.push({ rule: 'lwm2m.unexpected-success-code', section: SECTION_OPS, message: `${operationTitle(op)} succeeds with ${responseMeaning(op, SUCCESS_CODE[op]).slice(0, 4)}, not ${responseMeaning(op, m.code).slice(0, 4)}.` })
    }
    if (op === 'register' && m.code === SUCCESS_CODE.register && !m.options.some((o) => o.number === Option.LOCATION_PATH)) {
      problems.push({ rule: 'lwm2m.register-no-location', section: SECTION_REGISTER, message: 'A 2.01 to Register must carry the registration location (Location-Path).' })
    }
  }
  const path = objectPath(segments)
  let contentFormat: number | null = null
  for (const o of m.options) if (o.number === Option.CONTENT_FORMAT) contentFormat = o.value.reduce((n, b) => n * 256 + b, 0)
  let records: Lwm2mRecord[] = []
  if (m.payload.length > 0) {
    // Register, Update and Bootstrap-Request payloads are link format without needing the option
    // in 1.0 clients' habits; everything else must say its format.
    const cf = contentFormat ?? (op === 'register' || op === 'update' || op === 'discover' || op === 'bs-discover' ? CF.LINK : null)
    if (contentFormat === null && cf === null) {
      problems.push({ rule: 'lwm2m.payload-no-content-format', section: SECTION_FORMATS, message: 'A payload without Content-Format cannot be decoded for sure (a receiver must reject it).' })
    } else if (cf !== null) {
      const decoded = decodePayload(cf, m.payload, { ...(path ? { path } : {}), ...(ctx.models ? { models: ctx.models } : {}) })
      records = decoded.records
      const kids: Field[] = records.slice(0, 500).map((r) => field(
        r.path.length > 0 ? pathWithNames(r.path, ctx.models) : (r.prefix ?? '/'),
        payloadAt, payloadAt + m.payload.length, `${r.value?.type ?? 'path'}: ${valueText(r.value)}`
      ))
      for (const v of decoded.violations) {
        kids.push({ label: 'Violation', value: v.message, start: payloadAt + Math.min(v.offset, m.payload.length - 1), end: payloadAt + Math.min(v.offset + 1, m.payload.length), problem: { rule: v.rule, section: v.section, message: v.message } })
      }
      fields.push(field(`Payload as ${contentFormatLabel(cf)}`, payloadAt, payloadAt + m.payload.length, `${records.length} record${records.length === 1 ? '' : 's'}`, kids))
    }
  }
  const head: Field[] = []
  const whole = [0, payloadAt > 0 && m.payload.length > 0 ? payloadAt + m.payload.length : payloadAt] as const
  if (op !== null) head.push(field('Operation', whole[0], 4, operationTitle(op)))
  if (endpoint !== null) head.push(field('Endpoint', whole[0], whole[1], endpoint))
  if (path !== null) head.push(field('Path', whole[0], whole[1], pathWithNames(path, ctx.models)))
  if (!isRequest && m.code !== 0) head.push(field('Result', 1, 2, responseMeaning(op, m.code)))
  if (shape) {
    for (const key of ['lt', 'lwm2m', 'b', 'sms', 'Q', 'pct'] as const) {
      const v = queryValue(shape.query, key)
      if (v !== null) head.push(field(`Parameter ${key}`, whole[0], whole[1], v))
    }
  }
  for (const p of problems) head.push({ label: 'Violation', value: p.message, start: 0, end: 4, problem: p })
  const summary = summarize(op, isRequest, m.code, path, endpoint, records.length, ctx.models)
  return {
    op, isRequest, endpoint, path: path ? '/' + path.join('/') : null, contentFormat, records, problems, summary,
    fields: [field('LwM2M', whole[0], whole[1], summary, [...head, ...fields])]
  }
}

function summarize(op: Operation | null, isRequest: boolean, code: number, path: Path | null, ep: string | null, n: number, models?: ModelLookup): string {
  const name = op === null ? (isRequest ? 'CoAP request' : code === 0 ? 'Empty' : 'Response') : operationTitle(op)
  const parts = [name]
  if (ep !== null) parts.push(ep)
  if (path !== null) parts.push(pathWithNames(path, models))
  if (!isRequest && code !== 0) parts.push(responseMeaning(op, code).split(':')[0] as string)
  if (n > 0) parts.push(`${n} record${n === 1 ? '' : 's'}`)
  return parts.join(' ')
}
