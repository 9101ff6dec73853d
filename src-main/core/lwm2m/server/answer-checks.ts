// SPDX-License-Identifier: Apache-2.0
// What a device's answer says beyond its payload: a success code other than the one its operation
// has (Transport §6), a payload without Content-Format, or a format other than the one asked for
// (RFC 7252 §5.10.4). Devices that get these wrong are common; the result shows it rather than
// leaving the user to wonder why nothing decoded.
import type { Violation } from '../../violation'
import { formatName, LEGACY_CF, type ContentFormat } from '../content-format'
import { SUCCESS_CODES } from '../success-codes'
import { codeText } from './messages'

const formatLabel = (cf: number): string => {
  const name = formatName(cf as ContentFormat)
  return name ? `${name} (${cf})` : String(cf)
}

const NONE: readonly Violation[] = Object.freeze([])

function plus(list: Violation[] | null, v: Violation): Violation[] {
  if (list === null) return [v]
  list.push(v)
  return list
}

export interface AnswerShape {
  readonly code: number
  readonly contentFormat: number | null
  readonly payload: Uint8Array
  readonly locationPath?: readonly string[]
}

/**
 * `guessed`: the format the payload was read as when it came without one (plain text for a single
 * resource), or null when it was left undecoded.
 */
export function answerProblems(operation: string, accept: number | undefined, res: AnswerShape, guessed: ContentFormat | null = null, path: readonly number[] = []): readonly Violation[] {
  // Most answers are fine: they share one empty list rather than make one each (issue 12 speed).
  if (res.code >> 5 !== 2) return NONE
  let problems: Violation[] | null = null
  const expected = SUCCESS_CODES[operation]
  if (expected !== undefined && res.code !== expected)
    problems = plus(problems, {
      offset: 0,
      rule: 'lwm2m.unexpected-success-code',
      section: 'LwM2M 1.2 Transport §6',
      message: `${operation} succeeds with ${codeText(expected)}; the device answered ${codeText(res.code)}`
    })
  if (res.payload.length > 0 && res.contentFormat === null)
    problems = plus(problems, {
      offset: 0,
      rule: 'lwm2m.payload-no-content-format',
      section: 'LwM2M 1.2 Core §7.5; RFC 7252 §5.10.3',
      message: `the answer carries a payload but no Content-Format option, so its format is a guess: ${guessed === null ? 'left undecoded (see the bytes)' : `read as ${formatLabel(guessed)}`}`
    })
  if (accept !== undefined && res.contentFormat !== null && res.payload.length > 0) {
    const got = LEGACY_CF[res.contentFormat] ?? res.contentFormat
    if (got !== accept)
      problems = plus(problems, {
        offset: 0,
        rule: 'coap.accept-ignored',
        section: 'RFC 7252 §5.10.4',
        message: `asked for ${formatLabel(accept)}, the device answered in ${formatLabel(res.contentFormat)} (it should answer 4.06 when it cannot); decoded as what it sent`
      })
  }
  // Create: the new instance's place, /O/I under the object asked (an alternate path may come first).
  if (operation === 'Create' && res.locationPath?.length) {
    const [o, i] = res.locationPath.slice(-2)
    if (o !== String(path[0]) || i === undefined || !/^\d{1,5}$/.test(i) || Number(i) > 65534)
      problems = plus(problems, {
        offset: 0,
        rule: 'lwm2m.create-location',
        section: 'LwM2M 1.2 Transport §6.4.4; Core §7.1',
        message: `the Location-Path /${res.locationPath.join('/')} does not name an instance of /${path[0]} (/${path[0]}/I with I in 0..65534)`
      })
  }
  return problems ?? NONE
}
