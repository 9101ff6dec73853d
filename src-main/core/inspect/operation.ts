// SPDX-License-Identifier: Apache-2.0
// Which LwM2M operation a CoAP request is (LwM2M 1.2 Transport §6, Core §6), what success code it
// expects and what a response code means for it. The names are the filter language's `op=` words.
import { Method, Option, type CoapMessage } from '../coap/message'
import { decodeUint } from '../coap/options'
import { CF } from '../lwm2m/content-format'
import { codeName } from '../coap/describe'
import { SUCCESS_CODES } from '../lwm2m/success-codes'

export const OPERATIONS = [
  'register', 'update', 'deregister', 'bootstrap-request', 'bootstrap-pack', 'bs-discover',
  'bs-read', 'bs-write', 'bs-delete', 'bs-finish', 'read', 'read-composite', 'discover', 'write',
  'write-composite', 'write-attributes', 'execute', 'create', 'delete', 'observe',
  'observe-composite', 'cancel-observe', 'notify', 'send'
] as const

export type Operation = (typeof OPERATIONS)[number]

/** Index of an operation in OPERATIONS (the store keeps this number per frame). */
export const OP_INDEX: Readonly<Record<Operation, number>> = Object.fromEntries(OPERATIONS.map((o, i) => [o, i])) as Record<Operation, number>

const TITLES: Readonly<Record<Operation, string>> = {
  register: 'Register', update: 'Update', deregister: 'De-register', 'bootstrap-request': 'Bootstrap-Request',
  'bootstrap-pack': 'Bootstrap-Pack-Request', 'bs-discover': 'Bootstrap-Discover', 'bs-read': 'Bootstrap-Read',
  'bs-write': 'Bootstrap-Write', 'bs-delete': 'Bootstrap-Delete', 'bs-finish': 'Bootstrap-Finish', read: 'Read',
  'read-composite': 'Read-Composite', discover: 'Discover', write: 'Write', 'write-composite': 'Write-Composite',
  'write-attributes': 'Write-Attributes', execute: 'Execute', create: 'Create', delete: 'Delete', observe: 'Observe',
  'observe-composite': 'Observe-Composite', 'cancel-observe': 'Cancel Observation', notify: 'Notify', send: 'Send'
}

/** The operation's name as the specification writes it ("Bootstrap-Write", "Read-Composite"). */
export function operationTitle(op: Operation): string {
  return TITLES[op]
}

/** The success code each operation's response carries (Transport §6). */
export const SUCCESS_CODE: Readonly<Record<Operation, number>> = Object.fromEntries(OPERATIONS.map((o) => [o, SUCCESS_CODES[TITLES[o]] as number])) as Record<Operation, number>

/** What a request tells about its operation beyond the method. */
export interface RequestShape {
  readonly segments: readonly string[]
  readonly query: readonly string[]
  readonly observe: number | null
  readonly accept: number | null
  readonly contentFormat: number | null
  readonly hasPayload: boolean
}

export function requestShape(m: CoapMessage): RequestShape {
  const segments: string[] = []
  const query: string[] = []
  let observe: number | null = null
  let accept: number | null = null
  let contentFormat: number | null = null
  for (const o of m.options) {
    if (o.number === Option.URI_PATH) segments.push(utf8.decode(o.value))
    else if (o.number === Option.URI_QUERY) query.push(utf8.decode(o.value))
    else if (o.number === Option.OBSERVE) observe = decodeUint(o.value)
    else if (o.number === Option.ACCEPT) accept = decodeUint(o.value)
    else if (o.number === Option.CONTENT_FORMAT) contentFormat = decodeUint(o.value)
  }
  return { segments, query, observe, accept, contentFormat, hasPayload: m.payload.length > 0 }
}

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true })

const isId = (s: string | undefined): boolean => s !== undefined && /^(0|[1-9][0-9]{0,4})$/.test(s)

/**
 * The operation of a request. `bootstrap` says the sender is in a bootstrap session with the
 * device (the device sent Bootstrap-Request to it), which makes GET/PUT/DELETE the Bootstrap
 * interface's. Null for a request that is no LwM2M operation.
 */
export function classifyRequest(code: number, s: RequestShape, bootstrap: boolean): Operation | null {
  const first = s.segments[0]
  const n = s.segments.length
  if (code === Method.POST && first === 'rd') return n === 1 ? 'register' : 'update'
  if (code === Method.DELETE && first === 'rd' && n >= 2) return 'deregister'
  if (code === Method.POST && first === 'bs' && n === 1) return s.query.some((q) => q.startsWith('ep=')) ? 'bootstrap-request' : 'bs-finish'
  if (code === Method.GET && first === 'bspack') return 'bootstrap-pack'
  if (code === Method.POST && first === 'dp') return 'send'
  // Object paths may sit behind a gateway prefix or an alternate path: look at the numeric tail.
  const idTail = s.segments.filter(isId).length
  if (bootstrap) {
    if (code === Method.GET) return s.accept === CF.LINK ? 'bs-discover' : 'bs-read'
    if (code === Method.PUT || code === Method.POST) return 'bs-write'
    if (code === Method.DELETE) return 'bs-delete'
  }
  switch (code) {
    case Method.GET:
      if (s.observe === 0) return 'observe'
      if (s.observe === 1) return 'cancel-observe'
      return s.accept === CF.LINK ? 'discover' : 'read'
    case Method.FETCH:
      if (s.observe === 0) return 'observe-composite'
      if (s.observe === 1) return 'cancel-observe'
      return 'read-composite'
    case Method.IPATCH:
      return 'write-composite'
    case Method.PUT:
      return !s.hasPayload && s.query.length > 0 ? 'write-attributes' : 'write'
    case Method.POST:
      if (idTail === 1) return 'create'
      if (idTail === 3) return 'execute'
      return 'write'
    case Method.DELETE:
      return 'delete'
    default:
      return null
  }
}

// Transport §6 tables: what an error code means for an operation, where it has a specific meaning.
const MEANINGS: Readonly<Record<string, string>> = {
  'register 4.00': 'Bad Request: a mandatory parameter is missing or a value is malformed',
  'register 4.03': 'Forbidden: the server refuses this endpoint',
  'register 4.12': 'Precondition Failed: the LwM2M version is not supported',
  'update 4.04': 'Not Found: the registration does not exist (register again)',
  'deregister 4.04': 'Not Found: the registration does not exist',
  'bootstrap-request 4.00': 'Bad Request: unknown endpoint or bad parameters',
  'bootstrap-request 5.00': 'Internal Server Error: no bootstrap configuration for this endpoint',
  'bs-finish 4.06': 'Not Acceptable: the client found the bootstrap data inconsistent',
  'bs-finish 5.00': 'Internal Server Error: the client could not apply the configuration',
  'send 4.04': 'Not Found: the client is not registered',
  'execute 4.05': 'Method Not Allowed: the resource is not executable',
  'create 4.00': 'Bad Request: the instance exists or the payload is wrong',
  'write-attributes 4.00': 'Bad Request: an attribute is not valid for the target'
}

const GENERIC: Readonly<Record<string, string>> = {
  '4.00': 'Bad Request: undetermined error in the request',
  '4.01': 'Unauthorized: access control refuses this server',
  '4.02': 'Bad Option: a critical option was not understood',
  '4.04': 'Not Found: the target does not exist',
  '4.05': 'Method Not Allowed: the operation is not allowed on the target',
  '4.06': 'Not Acceptable: none of the preferred content formats is supported',
  '4.08': 'Request Entity Incomplete: a block is missing',
  '4.13': 'Request Entity Too Large',
  '4.15': 'Unsupported Content-Format',
  '5.00': 'Internal Server Error',
  '5.01': 'Not Implemented',
  '5.03': 'Service Unavailable: try again after Max-Age'
}

function codeText(code: number): string {
  return `${code >> 5}.${String(code & 31).padStart(2, '0')}`
}

/** What `code` means as the answer to `op`, e.g. "2.01 Created: success of Register". */
export function responseMeaning(op: Operation | null, code: number): string {
  const c = codeText(code)
  if (op !== null && code === SUCCESS_CODE[op]) return `${codeName(code)}: success of ${operationTitle(op)}`
  if (code === 2 * 32 + 31) return `${c} Continue: send the next block`
  if (op !== null) {
    const specific = MEANINGS[`${op} ${c}`]
    if (specific) return `${c} ${specific}`
  }
  const generic = GENERIC[c]
  if (generic) return `${c} ${generic}`
  return code >> 5 === 2 ? `${codeName(code)}: success` : `${codeName(code)}: failure`
}
