// SPDX-License-Identifier: Apache-2.0
// Handshake causes (HandshakeRecordInput.cause) as a person reads them in a list.
const WORDS: Readonly<Record<string, string>> = {
  ok: 'Completed',
  unknown_psk_identity: 'Unknown PSK identity',
  wrong_key: 'Wrong key',
  no_common_suite: 'No common cipher suite',
  cert_untrusted: 'Certificate not trusted',
  name_mismatch: 'Name mismatch',
  cid_not_negotiated: 'Connection ID not negotiated',
  timeout: 'No answer (retransmissions exhausted)',
  alert_received: 'Alert from the peer',
  malformed: 'Malformed message'
}

export function causeWords(cause: string): string {
  return WORDS[cause] ?? cause.replace(/_/g, ' ')
}

/** "fatal alert bad_record_mac (20), sent by us" */
export function alertWords(a: { level: number; description: number; name: string; sent: boolean }): string {
  return `${a.level === 2 ? 'fatal' : a.level === 1 ? 'warning' : `level ${a.level}`} alert ${a.name} (${a.description}), ${a.sent ? 'sent by us' : 'received'}`
}
