// SPDX-License-Identifier: Apache-2.0
// One frame, all layers: DTLS records when the bytes are DTLS, CoAP on the wire bytes (or on the
// DTLS plaintext when the capture has it), LwM2M meaning on top. Never throws: whatever a layer
// cannot read becomes a violation in the tree, and the layers below still show.
import type { ModelLookup } from '../lwm2m/model'
import type { Operation } from './operation'
import { dissectCoap } from './coap-dissector'
import { dissectDtls, looksLikeDtls } from './dtls-dissector'
import { shiftFields, type Field } from './field'
import { dissectLwm2m, type Lwm2mContext, type Lwm2mMeaning, type RequestContext } from './lwm2m-dissector'
import type { CoapMessage } from '../coap/message'
import { codeName } from '../coap/describe'

export interface DissectOptions {
  readonly models?: ModelLookup
  /** DTLS: the decrypted record content, when known. */
  readonly plaintext?: Uint8Array
  /** Length of the CIDs in tls12_cid records (captures that start after the handshake). */
  readonly cidLength?: number
  readonly bootstrap?: boolean
  readonly request?: RequestContext
  readonly notification?: boolean
}

export interface Dissection {
  readonly fields: Field[]
  readonly summary: string
  readonly protocol: 'coap' | 'dtls' | 'unknown'
  readonly message: CoapMessage | null
  readonly lwm2m: Lwm2mMeaning | null
  /** Any violation anywhere in the tree. */
  readonly problems: number
}

export function dissectFrame(bytes: Uint8Array, opts: DissectOptions = {}): Dissection {
  try {
    return dissectUnguarded(bytes, opts)
  } catch (e) {
    // The layers are total by contract; a bug in one must not take the inspector down.
    const message = `dissector fault: ${e instanceof Error ? e.message : String(e)}`
    return {
      fields: [{ label: 'Frame', value: message, start: 0, end: bytes.length, problem: { rule: 'inspect.internal', section: '-', message } }],
      summary: message, protocol: 'unknown', message: null, lwm2m: null, problems: 1
    }
  }
}

function dissectUnguarded(bytes: Uint8Array, opts: DissectOptions): Dissection {
  const fields: Field[] = []
  let coapBytes: Uint8Array | null = bytes
  let source: 'wire' | 'plain' = 'wire'
  let protocol: Dissection['protocol'] = 'coap'
  let dtlsSummary = ''
  if (looksLikeDtls(bytes)) {
    protocol = 'dtls'
    const d = dissectDtls(bytes, opts.cidLength ?? 0)
    fields.push(...d.fields)
    dtlsSummary = d.summary
    coapBytes = opts.plaintext ?? null
    source = 'plain'
  }
  let message: CoapMessage | null = null
  let lwm2m: Lwm2mMeaning | null = null
  let summary = dtlsSummary
  if (coapBytes !== null && coapBytes.length > 0) {
    const c = dissectCoap(coapBytes)
    message = c.message
    const coapFields: Field[] = [...c.fields]
    if (message !== null) {
      const payloadAt = message.payload.length > 0 ? message.payload.byteOffset - coapBytes.byteOffset : coapBytes.length
      const ctx: Lwm2mContext = {
        ...(opts.models ? { models: opts.models } : {}),
        ...(opts.bootstrap ? { bootstrap: true } : {}),
        ...(opts.request ? { request: opts.request } : {}),
        ...(opts.notification ? { notification: true } : {})
      }
      lwm2m = dissectLwm2m(message, payloadAt, ctx)
      coapFields.push(...lwm2m.fields)
      summary = message.code === 0 ? coapLine(message) : lwm2m.summary
    } else if (protocol === 'coap') {
      protocol = 'unknown'
      summary = `not CoAP (${bytes.length} B)`
    }
    fields.push(...(source === 'plain' ? shiftFields(coapFields, 0, 'plain') : coapFields))
  }
  return { fields, summary: summary || `${bytes.length} B`, protocol, message, lwm2m, problems: countProblems(fields) }
}

function countProblems(fields: readonly Field[]): number {
  let n = 0
  for (const f of fields) {
    if (f.problem) n++
    if (f.children) n += countProblems(f.children)
  }
  return n
}

/** A short CoAP line, for frames whose LwM2M meaning is empty (Empty ACK, RST). */
export function coapLine(m: CoapMessage): string {
  return `${m.type} ${codeName(m.code)}`
}

export type { Operation }
