// SPDX-License-Identifier: Apache-2.0
// Short command APDUs (ISO/IEC 7816-4 §5.1) and response APDUs, with the logical channel in the
// class byte (§5.4.1: channels 0-3 in bits 1-2, channels 4-19 in the further-interindustry form).
import { statusWord, type StatusWord } from './status-word'

export interface CommandApdu {
  readonly cla: number
  readonly ins: number
  readonly p1: number
  readonly p2: number
  readonly data?: Uint8Array
  /** Expected response length, 1..256 (256 is sent as 00); absent: no Le. */
  readonly le?: number
}

export interface ResponseApdu {
  readonly data: Uint8Array
  readonly sw1: number
  readonly sw2: number
}

export const INS = {
  SELECT: 0xa4,
  READ_BINARY: 0xb0,
  READ_RECORD: 0xb2,
  UPDATE_BINARY: 0xd6,
  VERIFY: 0x20,
  MANAGE_CHANNEL: 0x70,
  GET_RESPONSE: 0xc0
} as const

/** The class byte of an interindustry command on a logical channel (0..19). */
export function claFor(channel: number): number {
  if (channel < 0 || channel > 19) throw new RangeError(`logical channel ${channel} is outside 0..19`)
  return channel < 4 ? channel : 0x40 | (channel - 4)
}

export function channelOf(cla: number): number {
  return (cla & 0x40) !== 0 ? 4 + (cla & 0x0f) : cla & 0x03
}

export function encodeCommand(c: CommandApdu): Uint8Array {
  const data = c.data ?? new Uint8Array(0)
  if (data.length > 255) throw new RangeError(`a short APDU carries at most 255 data bytes, not ${data.length}`)
  if (c.le !== undefined && (c.le < 1 || c.le > 256)) throw new RangeError(`Le ${c.le} is outside 1..256`)
  const out: number[] = [c.cla, c.ins, c.p1, c.p2]
  if (data.length > 0) out.push(data.length, ...data)
  if (c.le !== undefined) out.push(c.le & 0xff)
  return Uint8Array.from(out)
}

/** Splits a response; one shorter than the two status bytes is reported as 6F00 with no data. */
export function decodeResponse(bytes: Uint8Array): ResponseApdu {
  if (bytes.length < 2) return { data: new Uint8Array(0), sw1: 0x6f, sw2: 0x00 }
  return { data: bytes.slice(0, -2), sw1: bytes[bytes.length - 2] as number, sw2: bytes[bytes.length - 1] as number }
}

export function responseStatus(r: ResponseApdu): StatusWord {
  return statusWord(r.sw1, r.sw2)
}

/** What the command's bytes are, in a word, for the APDU log. */
export function commandName(command: Uint8Array): string {
  const ins = command[1]
  switch (ins) {
    case INS.SELECT:
      return 'SELECT'
    case INS.READ_BINARY:
      return 'READ BINARY'
    case INS.READ_RECORD:
      return 'READ RECORD'
    case INS.UPDATE_BINARY:
      return 'UPDATE BINARY'
    case INS.VERIFY:
      return 'VERIFY'
    case INS.MANAGE_CHANNEL:
      return command[2] === 0x80 ? 'MANAGE CHANNEL close' : 'MANAGE CHANNEL open'
    case INS.GET_RESPONSE:
      return 'GET RESPONSE'
    default:
      return ins === undefined ? '(empty)' : `INS ${ins.toString(16).padStart(2, '0').toUpperCase()}`
  }
}

/**
 * The command's hex for logs and results: the data of VERIFY (a key or PIN) and of UPDATE BINARY
 * (the file, which holds keys) become "**" per byte; the header and lengths stay.
 */
export function maskedCommandHex(command: Uint8Array): string {
  const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
  const ins = command[1]
  if ((ins !== INS.VERIFY && ins !== INS.UPDATE_BINARY) || command.length <= 5) return hex(command)
  const lc = command[4] as number
  const dataEnd = Math.min(command.length, 5 + lc)
  return hex(command.subarray(0, 5)) + '**'.repeat(dataEnd - 5) + hex(command.subarray(dataEnd))
}
