// SPDX-License-Identifier: Apache-2.0
// Drives a card program over whatever moves APDUs (a PC/SC card, or bytes in a test).
import { commandName, decodeResponse, maskedCommandHex } from './apdu'
import type { CardProgram, CardStep } from './card-program'
import { statusWord } from './status-word'

/** One line of the APDU log: secrets in VERIFY and UPDATE BINARY data are masked. */
export interface ApduLogEntry {
  readonly command: string
  readonly name: string
  readonly purpose: string
  /** Response data, hex (empty for none); "**" per byte when it is the bootstrap file (keys). */
  readonly response: string
  readonly sw: string
  readonly meaning: string
  readonly progress?: { readonly done: number; readonly total: number }
}

export type Transmit = (command: Uint8Array) => Promise<Uint8Array>

export async function runProgram<T>(program: CardProgram<T>, transmit: Transmit, onStep?: (entry: ApduLogEntry, step: CardStep) => void): Promise<T> {
  let next = program.next()
  while (!next.done) {
    const step = next.value
    const raw = await transmit(step.command)
    const r = decodeResponse(raw)
    const s = statusWord(r.sw1, r.sw2)
    onStep?.(
      {
        command: maskedCommandHex(step.command),
        name: commandName(step.command),
        purpose: step.purpose,
        response: step.secretResponse ? '**'.repeat(r.data.length) : Array.from(r.data, (b) => b.toString(16).padStart(2, '0')).join(''),
        sw: s.sw,
        meaning: s.meaning,
        ...(step.progress ? { progress: step.progress } : {})
      },
      step
    )
    next = program.next(r)
  }
  return next.value
}
