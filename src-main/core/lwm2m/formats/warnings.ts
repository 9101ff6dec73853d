// SPDX-License-Identifier: Apache-2.0
// Violation has no severity field; these rules are the ones the format decoders report as
// warnings (the input is accepted as it stands), and the answer checks of server/answer-checks.ts
// that leave the answer usable. Everything else is an error.
import { CBOR_WARNING_RULES } from '../../cbor/reader'
import { SENML_WARNING_RULES } from './senml-pack'

const ANSWER_WARNING_RULES: ReadonlySet<string> = new Set(['coap.accept-ignored', 'lwm2m.payload-no-content-format'])

export function isWarningRule(rule: string): boolean {
  return CBOR_WARNING_RULES.has(rule) || SENML_WARNING_RULES.has(rule) || ANSWER_WARNING_RULES.has(rule)
}
