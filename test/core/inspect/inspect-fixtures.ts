// SPDX-License-Identifier: Apache-2.0
// Hand-built LwM2M frames for the inspector tests, and the shipped models.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { encodeMessage } from '../../../src-main/core/coap/codec'
import { Option, type CoapOption, type MessageType } from '../../../src-main/core/coap/message'
import { encodeUint } from '../../../src-main/core/coap/options'
import { ModelRegistry } from '../../../src-main/core/lwm2m/model/model-registry'
import type { ObjectModel } from '../../../src-main/core/lwm2m/model'

export function shippedModels(): ModelRegistry {
  const reg = new ModelRegistry()
  const list = JSON.parse(readFileSync(join(__dirname, '../../../resources/models/models.json'), 'utf8')) as ObjectModel[]
  for (const m of list) reg.add(m, 'shipped')
  return reg
}

const enc = new TextEncoder()
export const text = (s: string): Uint8Array => enc.encode(s)

export interface Build {
  readonly type?: MessageType
  readonly mid?: number
  readonly token?: number[]
  readonly path?: string
  readonly query?: string[]
  readonly observe?: number
  readonly accept?: number
  readonly cf?: number
  readonly location?: string[]
  readonly payload?: Uint8Array | string
}

/** One CoAP datagram: code as c*32+d, path "/3/0/1". */
export function coap(code: number, b: Build = {}): Uint8Array {
  const options: CoapOption[] = []
  for (const s of (b.path ?? '').split('/').filter((x) => x !== '')) options.push({ number: Option.URI_PATH, value: text(s) })
  for (const q of b.query ?? []) options.push({ number: Option.URI_QUERY, value: text(q) })
  for (const l of b.location ?? []) options.push({ number: Option.LOCATION_PATH, value: text(l) })
  if (b.observe !== undefined) options.push({ number: Option.OBSERVE, value: encodeUint(b.observe) })
  if (b.accept !== undefined) options.push({ number: Option.ACCEPT, value: encodeUint(b.accept) })
  if (b.cf !== undefined) options.push({ number: Option.CONTENT_FORMAT, value: encodeUint(b.cf) })
  const payload = typeof b.payload === 'string' ? text(b.payload) : (b.payload ?? new Uint8Array(0))
  return encodeMessage({ type: b.type ?? (code < 32 ? 'CON' : 'ACK'), code, messageId: b.mid ?? 0x1234, token: new Uint8Array(b.token ?? [0xab, 0xcd]), options, payload })
}

export const c = (cls: number, detail: number): number => cls * 32 + detail
export const GET = 1, POST = 2, PUT = 3, DELETE = 4, FETCH = 5, IPATCH = 7
