// SPDX-License-Identifier: Apache-2.0
// Completes a response the way T=0 cards hand it out (ISO/IEC 7816-4 §5.3.4; ETSI TS 102 221
// §7.3.1.1.5): 61xx means xx bytes wait for GET RESPONSE, 6Cxx means "send it again with Le = xx".
// Pure: the transport passes in the function that moves one APDU.
import { channelOf, decodeResponse, encodeCommand, INS } from './apdu'

export type RawTransmit = (command: Uint8Array) => Promise<Uint8Array>

export interface Exchange {
  readonly command: Uint8Array
  readonly response: Uint8Array
}

/** At most this many GET RESPONSE rounds for one command: a card that keeps saying 61xx is broken. */
const MAX_ROUNDS = 64

/** The command with its Le replaced (or added) — a 6Cxx retry. */
export function withLe(command: Uint8Array, le: number): Uint8Array {
  const lcCase = command.length > 5 && command.length >= 5 + (command[4] as number)
  const body = command.length === 5 ? command.subarray(0, 4) : lcCase ? command.subarray(0, 5 + (command[4] as number)) : command.subarray(0, 4)
  const out = new Uint8Array(body.length + 1)
  out.set(body)
  out[body.length] = le & 0xff
  return out
}

/** Sends `command`, follows 6Cxx once and 61xx up to MAX_ROUNDS, and returns the whole answer. */
export async function transmitComplete(command: Uint8Array, raw: RawTransmit): Promise<{ response: Uint8Array; exchanges: Exchange[] }> {
  const exchanges: Exchange[] = []
  const send = async (c: Uint8Array): Promise<Uint8Array> => {
    const r = await raw(c)
    exchanges.push({ command: c, response: r })
    return r
  }
  let r = decodeResponse(await send(command))
  if (r.sw1 === 0x6c) r = decodeResponse(await send(withLe(command, r.sw2)))
  const parts: Uint8Array[] = [r.data]
  const channel = channelOf(command[0] ?? 0)
  const cla = channel < 4 ? channel : 0x40 | (channel - 4)
  for (let round = 0; r.sw1 === 0x61 && round < MAX_ROUNDS; round++) {
    const get = encodeCommand({ cla, ins: INS.GET_RESPONSE, p1: 0, p2: 0, le: r.sw2 === 0 ? 256 : r.sw2 })
    r = decodeResponse(await send(get))
    if (r.sw1 === 0x6c) r = decodeResponse(await send(withLe(get, r.sw2)))
    parts.push(r.data)
  }
  const size = parts.reduce((n, p) => n + p.length, 0)
  const out = new Uint8Array(size + 2)
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  out[size] = r.sw1
  out[size + 1] = r.sw2
  return { response: out, exchanges }
}
