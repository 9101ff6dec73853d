// SPDX-License-Identifier: Apache-2.0
// Alert messages (RFC 5246 §7.2; dtls-facts §2.11): level(1) ‖ description(1), the name of every
// description code TLS 1.2 peers send (RFC 5246, RFC 4279 §2, RFC 6066 §9, RFC 7507 §2), the
// LwM2M 1.2 Transport §5 client recommendation, and a plain-words reading for diagnosis.
import { ViolationList, type Violation } from '../violation'

export const AlertLevel = { warning: 1, fatal: 2 } as const

export interface Alert {
  readonly level: number
  readonly description: number
}

/** LwM2M 1.2 Transport §5 "Error Handling": R retry, X fail (do not retry), I ignore. */
export type Lwm2mAlertAdvice = 'retry' | 'fail' | 'ignore'

export interface AlertInfo {
  readonly name: string
  /** Always fatal per RFC 5246 §7.2.2 (or the defining RFC). */
  readonly alwaysFatal: boolean
  readonly lwm2m?: Lwm2mAlertAdvice
  readonly defined: string
}

const A = (name: string, alwaysFatal: boolean, lwm2m: Lwm2mAlertAdvice | undefined, defined = 'RFC 5246 §7.2'): AlertInfo =>
  lwm2m === undefined ? { name, alwaysFatal, defined } : { name, alwaysFatal, lwm2m, defined }

export const ALERTS: ReadonlyMap<number, AlertInfo> = new Map([
  [0, A('close_notify', false, 'retry', 'RFC 5246 §7.2.1')],
  [10, A('unexpected_message', true, 'retry')],
  [20, A('bad_record_mac', true, 'retry')],
  [21, A('decryption_failed_RESERVED', false, 'retry')],
  [22, A('record_overflow', true, 'retry')],
  [30, A('decompression_failure', true, 'ignore')],
  [40, A('handshake_failure', true, 'retry')],
  [41, A('no_certificate_RESERVED', false, 'ignore')],
  [42, A('bad_certificate', false, 'fail')],
  [43, A('unsupported_certificate', false, 'fail')],
  [44, A('certificate_revoked', false, 'fail')],
  [45, A('certificate_expired', false, 'fail')],
  [46, A('certificate_unknown', false, 'fail')],
  [47, A('illegal_parameter', true, 'retry')],
  [48, A('unknown_ca', true, 'fail')],
  [49, A('access_denied', true, 'fail')],
  [50, A('decode_error', true, 'retry')],
  [51, A('decrypt_error', true, 'retry')],
  [60, A('export_restriction_RESERVED', false, 'ignore')],
  [70, A('protocol_version', true, 'retry')],
  [71, A('insufficient_security', true, 'retry')],
  [80, A('internal_error', true, 'retry')],
  [86, A('inappropriate_fallback', true, undefined, 'RFC 7507 §2')],
  [90, A('user_canceled', false, 'retry')],
  [100, A('no_renegotiation', false, 'retry')],
  [110, A('unsupported_extension', true, 'ignore')],
  [111, A('certificate_unobtainable', false, 'retry', 'RFC 6066 §9')],
  [112, A('unrecognized_name', false, 'fail', 'RFC 6066 §9')],
  [113, A('bad_certificate_status_response', false, 'fail', 'RFC 6066 §9')],
  [114, A('bad_certificate_hash_value', false, 'fail', 'RFC 6066 §9')],
  [115, A('unknown_psk_identity', false, 'fail', 'RFC 4279 §2')]
])

/** "decrypt_error (51)", or "alert 99" for a code with no name. */
export function describeAlert(description: number): string {
  const info = ALERTS.get(description)
  return info === undefined ? `alert ${description}` : `${info.name} (${description})`
}

const S_ALERT = 'RFC 5246 §7.2'

/** One alert record's plaintext (2 bytes). Never throws; undefined when shorter than 2 bytes. */
export function decodeAlert(b: Uint8Array): { readonly alert: Alert | undefined, readonly violations: readonly Violation[] } {
  const v = new ViolationList()
  if (b.length < 2) {
    v.add(0, 'dtls.alert-truncated', S_ALERT, `An alert takes 2 bytes; this one has ${b.length}.`)
    return { alert: undefined, violations: v.items }
  }
  const alert = { level: b[0] as number, description: b[1] as number }
  if (b.length > 2) v.add(2, 'dtls.alert-trailing-bytes', S_ALERT, `An alert takes 2 bytes; ${b.length - 2} more follow and are ignored.`)
  if (alert.level !== AlertLevel.warning && alert.level !== AlertLevel.fatal) {
    v.add(0, 'dtls.alert-level', S_ALERT, `Alert level ${alert.level} is neither warning (1) nor fatal (2).`)
  }
  if (alert.level === AlertLevel.warning && ALERTS.get(alert.description)?.alwaysFatal === true) {
    v.add(0, 'dtls.alert-level', 'RFC 5246 §7.2.2', `${describeAlert(alert.description)} is always fatal but was sent as a warning.`)
  }
  return { alert, violations: v.items }
}

export function encodeAlert(a: Alert): Uint8Array {
  for (const [k, x] of [['level', a.level], ['description', a.description]] as const) {
    if (!Number.isInteger(x) || x < 0 || x > 255) throw new RangeError(`alert ${k} ${x}`)
  }
  return Uint8Array.of(a.level, a.description)
}

const WRONG_KEY = 'The records could not be authenticated: almost always the two sides hold different keys — a wrong PSK (or PSK identity mapped to another key), or a key derivation mismatch such as extended master secret on one side only.'

const EXPLANATIONS: ReadonlyMap<number, string> = new Map([
  [0, 'The peer closed the session normally.'],
  [10, 'A message arrived that the peer did not expect at this point of the handshake: usually a state-machine mismatch or a lost/reordered flight.'],
  [20, WRONG_KEY],
  [21, WRONG_KEY],
  [22, 'A record was larger than allowed: check record_size_limit / max_fragment_length and the PMTU.'],
  [40, 'The peers found no common security parameters: compare cipher suites (LwM2M PSK needs TLS_PSK_WITH_AES_128_CCM_8), groups and certificate types.'],
  [42, 'The certificate presented was rejected as corrupt or not verifiable.'],
  [43, 'The certificate type or key is not supported by the peer.'],
  [44, 'The certificate was revoked by its issuer.'],
  [45, 'The certificate has expired or is not yet valid: check both sides\' clocks.'],
  [46, 'The certificate was not accepted for an unspecified reason (often a name or usage mismatch).'],
  [47, 'A handshake field was out of range or inconsistent: an interoperability bug in one of the stacks.'],
  [48, 'The certificate chain does not lead to a CA the peer trusts: load the right CA / server certificate.'],
  [49, 'The peer authenticated us but refuses access (policy).'],
  [50, 'A message could not be decoded: malformed bytes or a message cut short.'],
  [51, 'A signature or the Finished check failed: with PSK this means the two sides derived different keys, i.e. a wrong PSK or identity.'],
  [70, 'The peer does not speak this DTLS version.'],
  [71, 'The peer requires stronger cipher suites than we offered.'],
  [80, 'The peer hit an internal error unrelated to our messages.'],
  [86, 'A fallback to a lower version was refused (RFC 7507).'],
  [90, 'The peer\'s user cancelled the handshake.'],
  [100, 'The peer refuses renegotiation (LwM2M peers never renegotiate).'],
  [110, 'We sent an extension in a ServerHello that the client never offered.'],
  [112, 'The server name (SNI) sent is unknown to the server: check the SNI / server host name.'],
  [115, 'The server does not know the PSK identity we sent: check the identity (many servers hide this and fail like a wrong key instead).']
])

/** A sentence for a user: what the alert usually means and where to look. */
export function explainAlert(a: Alert): string {
  const what = EXPLANATIONS.get(a.description) ?? 'No specific hint for this alert.'
  const level = a.level === AlertLevel.warning ? 'warning' : a.level === AlertLevel.fatal ? 'fatal' : `level ${a.level}`
  return `${describeAlert(a.description)}, ${level}: ${what}`
}
