// SPDX-License-Identifier: Apache-2.0
// What a card's status word means (ISO/IEC 7816-4 §5.6, ETSI TS 102 221 §10.2.1): every
// response the tool shows carries one of these sentences.

export interface StatusWord {
  /** Four hex digits, e.g. "9000". */
  readonly sw: string
  readonly sw1: number
  readonly sw2: number
  /** Normal processing (9000, 91xx, 61xx, and the 62xx warnings that still return data). */
  readonly ok: boolean
  readonly meaning: string
}

const FIXED: Readonly<Record<number, string>> = {
  0x9000: 'normal ending',
  0x6200: 'warning: state of non-volatile memory unchanged',
  0x6281: 'warning: part of the returned data may be corrupted',
  0x6282: 'warning: end of file reached before reading Le bytes',
  0x6283: 'warning: selected file invalidated',
  0x6285: 'warning: selected file in termination state',
  0x6581: 'memory problem',
  0x6700: 'wrong length',
  0x6881: 'logical channel not supported',
  0x6882: 'secure messaging not supported',
  0x6981: 'command incompatible with file structure',
  0x6982: 'security status not satisfied',
  0x6983: 'authentication method blocked',
  0x6984: 'reference data not usable',
  0x6985: 'conditions of use not satisfied',
  0x6986: 'command not allowed (no current EF)',
  0x6987: 'expected secure messaging data objects missing',
  0x6988: 'incorrect secure messaging data objects',
  0x6a80: 'incorrect parameters in the data field',
  0x6a81: 'function not supported',
  0x6a82: 'file or application not found',
  0x6a83: 'record not found',
  0x6a84: 'not enough memory space in the file',
  0x6a86: 'incorrect parameters P1-P2',
  0x6a88: 'referenced data not found',
  0x6b00: 'wrong parameters (offset outside the EF)',
  0x6d00: 'instruction code not supported',
  0x6e00: 'class not supported',
  0x6f00: 'technical problem, no precise diagnosis'
}

export function statusWord(sw1: number, sw2: number): StatusWord {
  const n = (sw1 << 8) | sw2
  const sw = n.toString(16).padStart(4, '0')
  const fixed = FIXED[n]
  if (fixed !== undefined) return { sw, sw1, sw2, ok: sw1 === 0x90 || sw1 === 0x62, meaning: fixed }
  let meaning: string
  let ok = false
  if (sw1 === 0x61) {
    meaning = `${sw2 === 0 ? 256 : sw2} response bytes available (GET RESPONSE)`
    ok = true
  } else if (sw1 === 0x6c) meaning = `wrong Le: exactly ${sw2 === 0 ? 256 : sw2} bytes available`
  else if (sw1 === 0x63 && (sw2 & 0xf0) === 0xc0) meaning = `verification failed or not done: ${sw2 & 0x0f} tries left`
  else if (sw1 === 0x91) {
    meaning = `normal ending, with ${sw2} bytes of proactive command pending`
    ok = true
  } else if (sw1 === 0x92 && (sw2 & 0xf0) === 0x00) {
    meaning = `normal ending after ${sw2 & 0x0f} internal retries`
    ok = true
  } else if (sw1 === 0x62 || sw1 === 0x63) meaning = 'warning'
  else if (sw1 === 0x64) meaning = 'execution error, memory unchanged'
  else if (sw1 === 0x65) meaning = 'execution error, memory changed'
  else if (sw1 === 0x67) meaning = 'wrong length'
  else if (sw1 === 0x68) meaning = 'functions in CLA not supported'
  else if (sw1 === 0x69) meaning = 'command not allowed'
  else if (sw1 === 0x6a) meaning = 'wrong parameters P1-P2'
  else meaning = 'unknown status word'
  return { sw, sw1, sw2, ok, meaning }
}

/** Tries left from 63Cx, else null. */
export function triesLeft(sw1: number, sw2: number): number | null {
  return sw1 === 0x63 && (sw2 & 0xf0) === 0xc0 ? sw2 & 0x0f : null
}
