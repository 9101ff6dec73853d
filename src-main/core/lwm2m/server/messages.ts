// SPDX-License-Identifier: Apache-2.0
// CoAP requests and responses as the LwM2M roles see them: methods, URI path/query, content
// formats and payload, without options encoding. core/lwm2m/server/coap-binding.ts maps them to
// CoAP messages; tests drive the roles with these directly.
import type { CancelSignal } from '../../cancel'
import type { PeerAddress } from '../../ports'

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'FETCH' | 'IPATCH'

/** A request a device sent us (Register, Update, De-register, Send, Bootstrap-Request). */
export interface UplinkRequest {
  readonly peer: PeerAddress
  readonly method: Method
  readonly path: readonly string[]
  readonly query: readonly string[]
  readonly contentFormat: number | null
  readonly payload: Uint8Array
}

/** Our answer to it. */
export interface UplinkResponse {
  readonly code: number
  /** Max-Age in seconds (e.g. how long to wait before trying again after 5.03). */
  readonly maxAge?: number
  readonly locationPath?: readonly string[]
  readonly contentFormat?: number
  readonly payload?: Uint8Array
}

/** A request we send to a device (Read, Write, Execute, Observe, ...). */
export interface DownlinkRequest {
  readonly method: Method
  readonly path: readonly string[]
  readonly query?: readonly string[]
  readonly contentFormat?: number
  readonly accept?: number
  readonly payload?: Uint8Array
  /** 0 registers an observation, 1 cancels it (RFC 7641 §2). */
  readonly observe?: 0 | 1
  /** Execute and Notify may go NON (T §6.8.1); everything else is CON. */
  readonly confirmable?: boolean
}

export interface DownlinkResponse {
  readonly code: number
  readonly contentFormat: number | null
  readonly payload: Uint8Array
  /** Observe sequence number on a notification or an accepted observation. */
  readonly observe: number | null
  readonly locationPath: readonly string[]
}

export interface ObservationHandle {
  readonly first: DownlinkResponse
  cancel(how: 'get' | 'rst'): Promise<void>
}

/** How the role steers one request it sends: deadline, cancel, and what it hears on the way. */
export interface SendControl {
  /** Deadline for the answer; the role keeps it and cancels through `cancel` when it passes. */
  readonly timeoutMs: number
  readonly cancel: CancelSignal
  /** The device acknowledged the request (Empty ACK); the answer may follow separately. */
  readonly onAck: () => void
  /** Part of the answer came (a block of a block-wise transfer): the device is alive. */
  readonly onProgress?: () => void
  /** An answer that came after the request had ended. */
  readonly onLate: (response: DownlinkResponse) => void
}

/** How a role reaches devices; the CoAP endpoint behind it is invisible to the role. */
export interface DeviceLink {
  send(peer: PeerAddress, req: DownlinkRequest, ctl?: SendControl): Promise<DownlinkResponse>
  observe(
    peer: PeerAddress,
    req: DownlinkRequest,
    onNotification: (n: DownlinkResponse) => void,
    onEnd: (reason: string) => void,
    ctl?: SendControl
  ): Promise<ObservationHandle>
}

/** RFC 7252 §5.9 / LwM2M T §6.7 meanings, for people reading a device's answer. */
const MEANINGS: Record<string, string> = {
  '2.01': 'Created',
  '2.02': 'Deleted',
  '2.03': 'Valid',
  '2.04': 'Changed',
  '2.05': 'Content',
  '2.31': 'Continue',
  '4.00': 'Bad Request: the device could not understand the request or its payload',
  '4.01': 'Unauthorized: this server has no access right for that operation (ACL, /0, /21, /23)',
  '4.02': 'Bad Option: the device does not understand a critical option',
  '4.03': 'Forbidden',
  '4.04': 'Not Found: the object, instance or resource does not exist on the device',
  '4.05': 'Method Not Allowed: the operation is not allowed on that target (e.g. Write on a read-only resource, or a refused Create/Delete — DMSE-01)',
  '4.06': 'Not Acceptable: the device cannot answer in the requested content format',
  '4.08': 'Request Entity Incomplete: a block was missing',
  '4.09': 'Conflict',
  '4.12': 'Precondition Failed',
  '4.13': 'Request Entity Too Large',
  '4.15': 'Unsupported Content-Format',
  '5.00': 'Internal Server Error on the device',
  '5.01': 'Not Implemented',
  '5.03': 'Service Unavailable'
}

// Every answer a server sees is described with these; 256 codes, so they are built once each.
const CODE_TEXTS: string[] = []
const CODE_MEANINGS: string[] = []

export function codeText(code: number): string {
  if (!(code >= 0 && code <= 255 && Number.isInteger(code))) return `${code >> 5}.${String(code & 31).padStart(2, '0')}`
  return (CODE_TEXTS[code] ??= `${code >> 5}.${String(code & 31).padStart(2, '0')}`)
}

export function codeMeaning(code: number): string {
  const known = Number.isInteger(code) && code >= 0 && code <= 255 ? CODE_MEANINGS[code] : undefined
  if (known !== undefined) return known
  const t = codeText(code)
  const meaning = MEANINGS[t] ?? (code >> 5 === 2 ? 'Success' : code >> 5 === 4 ? 'Client error' : 'Server error')
  if (Number.isInteger(code) && code >= 0 && code <= 255) CODE_MEANINGS[code] = meaning
  return meaning
}
