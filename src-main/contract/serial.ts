// SPDX-License-Identifier: Apache-2.0
// Serial lines (issue 17): the port list, open ports with their settings and slipmux counters,
// console lines and the decoded CoAP frames of a line, and shell provisioning steps.
import { boolean, integer, literal, optional, string } from './schema'

export type SerialFraming = 'slipmux' | 'raw'

export interface SerialPortDto {
  readonly path: string
  readonly manufacturer?: string
  readonly serialNumber?: string
  readonly vendorId?: string
  readonly productId?: string
}

export interface SerialCountersDto {
  readonly coap: number
  readonly diagnostic: number
  readonly ip: number
  readonly unknown: number
  readonly badFcs: number
  readonly aborted: number
  readonly oversized: number
}

export interface OpenSerialPortDto {
  readonly path: string
  readonly framing: SerialFraming
  readonly baudRate: number
  readonly dataBits: 5 | 6 | 7 | 8
  readonly parity: 'none' | 'even' | 'odd' | 'mark' | 'space'
  readonly stopBits: 1 | 1.5 | 2
  readonly rtscts: boolean
  readonly xonxoff: boolean
  readonly openedAt: string
  /** The URI a bootstrap configuration names for this line (slipmux draft §5): coap+uart://<device name>, e.g. coap+uart://ttyUSB0. */
  readonly uri: string
  /** Which LwM2M roles serve CoAP on this line (slipmux only). */
  readonly roles: readonly ('server' | 'bootstrap')[]
  /** The device last seen on the line (its endpoint name from Register or Bootstrap-Request). */
  readonly endpoint: string | null
  readonly counters: SerialCountersDto
}

export interface ConsoleLineDto {
  readonly seq: number
  readonly at: string
  /** 'device': received; 'host': written by us (serial.write, provisioning). */
  readonly source: 'device' | 'host'
  readonly text: string
}

/** One CoAP message on a slipmux line, decoded to one line. */
export interface SerialFrameDto {
  readonly seq: number
  readonly at: string
  readonly direction: 'in' | 'out'
  /** "CON GET mid=0x0001 tok=… /3/0/0" (core/coap/describe.ts). */
  readonly summary: string
  /** The device on the line, when known: the frame links to its page. */
  readonly endpoint: string | null
}

export interface SerialConsolePage {
  readonly path: string
  readonly open: boolean
  readonly lines: ConsoleLineDto[]
  /** The cursor for the next call (seq after the last line returned). */
  readonly next: number
  /** The most recent decoded CoAP frames (up to 200). */
  readonly frames: SerialFrameDto[]
}

export interface ProvisionStepDto {
  readonly command: string
  /** What the shell answered, echo included. */
  readonly answer: string
  readonly ok: boolean
  /** A failure here does not stop provisioning (stop before the client runs, create of an existing instance). */
  readonly tolerated?: boolean
}

export interface SerialProvisionResult {
  readonly ok: boolean
  readonly steps: ProvisionStepDto[]
  /** Why it stopped, when it failed. */
  readonly problem: string | null
}

const portPath = string({ minLength: 1, maxLength: 1024, printable: true })

export const SERIAL_PARAMS = {
  'serial.ports': {},
  'serial.open': {
    path: portPath,
    baudRate: integer(50, 4_000_000),
    framing: literal('slipmux', 'raw'),
    dataBits: optional(literal(5, 6, 7, 8)),
    parity: optional(literal('none', 'even', 'odd', 'mark', 'space')),
    stopBits: optional(literal(1, 1.5, 2)),
    rtscts: optional(boolean()),
    xonxoff: optional(boolean())
  },
  'serial.close': { path: portPath },
  'serial.control': { path: portPath, dtr: optional(boolean()), rts: optional(boolean()) },
  'serial.write': { path: portPath, text: optional(string({ maxLength: 65536 })), hex: optional(string({ maxLength: 131072, pattern: /^([0-9A-Fa-f]{2}|\s)*$/ })) },
  'serial.console': { path: portPath, cursor: optional(integer(0)), limit: optional(integer(1, 10_000)) },
  'serial.provision': { path: portPath, endpoint: string({ minLength: 1, maxBytes: 256, printable: true }), dialect: literal('zephyr-shell') }
} as const
