// SPDX-License-Identifier: Apache-2.0
// Violation has no severity field; these rules are the ones the format decoders report as
// warnings (the input is accepted as it stands). Everything else is an error.
import { CBOR_WARNING_RULES } from '../../cbor/reader'
import { SENML_WARNING_RULES } from './senml-pack'

export function isWarningRule(rule: string): boolean {
  return CBOR_WARNING_RULES.has(rule) || SENML_WARNING_RULES.has(rule)
}
