// SPDX-License-Identifier: Apache-2.0
// DTLS 1.2 record layer as a field tree (RFC 6347 §4.1, RFC 9146 §4), over the record codec of
// core/dtls so that the inspector frames records exactly as the stack does. Protected fragments
// stay opaque; a handshake at epoch 0 is split into its messages (RFC 6347 §4.2.2).
import { toHex } from '../bytes'
import { decodeHandshakeFragments, HANDSHAKE_HEADER_LENGTH, HandshakeType } from '../dtls/handshake-header'
import { ContentType, decodeRecords } from '../dtls/record'
import type { Violation } from '../violation'
import { field, type Field } from './field'

const CONTENT_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries({
    changeCipherSpec: 'change_cipher_spec', alert: 'alert', handshake: 'handshake',
    applicationData: 'application_data', heartbeat: 'heartbeat', tls12Cid: 'tls12_cid'
  }).map(([k, v]) => [ContentType[k as keyof typeof ContentType], v])
)

const HANDSHAKE_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(HandshakeType).map(([k, v]) => [v, k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)])
)

export function contentTypeName(t: number): string {
  return CONTENT_NAMES[t] ?? `unknown (${t})`
}

export function handshakeTypeName(t: number): string {
  return HANDSHAKE_NAMES[t] ?? `unknown (${t})`
}

/** Does the datagram look like DTLS (a known content type and a DTLS version) rather than CoAP? */
export function looksLikeDtls(b: Uint8Array): boolean {
  if (b.length < 13) return false
  const t = b[0] as number
  return t >= 20 && t <= 25 && b[1] === 0xfe && (b[2] === 0xfd || b[2] === 0xff)
}

export interface DtlsDissection {
  readonly fields: Field[]
  readonly violations: readonly Violation[]
  /** "Client Hello", "Application Data (epoch 1)", ... for the packet list. */
  readonly summary: string
  /** Epoch and sequence of the first record, for the list and filters. */
  readonly epoch: number | null
  readonly sequence: number | null
}

/** Dissects one datagram's DTLS records; `cidLength` frames tls12_cid records. Never throws. */
export function dissectDtls(datagram: Uint8Array, cidLength = 0): DtlsDissection {
  const { records, violations } = decodeRecords(datagram, { cidLength })
  const fields: Field[] = []
  const names: string[] = []
  for (const r of records) {
    const kids: Field[] = []
    const o = r.offset
    kids.push(field('Content type', o, o + 1, `${contentTypeName(r.type)} (${r.type})`))
    kids.push(field('Version', o + 1, o + 3, r.version === 0xfefd ? 'DTLS 1.2' : 'DTLS 1.0'))
    kids.push(field('Epoch', o + 3, o + 5, String(r.epoch)))
    kids.push(field('Sequence number', o + 5, o + 11, String(r.sequence)))
    const cidLen = r.cid?.length ?? 0
    if (r.cid) kids.push(field('Connection ID', o + 11, o + 11 + cidLen, toHex(r.cid)))
    kids.push(field('Length', o + 11 + cidLen, o + 13 + cidLen, String(r.fragment.length)))
    const fragAt = o + 13 + cidLen
    let name = contentTypeName(r.type)
    if (r.type === ContentType.handshake && r.epoch === 0) {
      const hs = decodeHandshakeFragments(r.fragment)
      const msgs: string[] = []
      let p = fragAt
      for (const f of hs.fragments) {
        const end = p + HANDSHAKE_HEADER_LENGTH + f.body.length
        const whole = f.fragmentOffset === 0 && f.body.length === f.length
        const label = `Handshake: ${handshakeTypeName(f.msgType)}`
        msgs.push(handshakeTypeName(f.msgType))
        kids.push(field(label, p, end, whole ? `${f.length} B` : `fragment ${f.fragmentOffset}+${f.body.length} of ${f.length} B`, [
          field('Message type', p, p + 1, `${handshakeTypeName(f.msgType)} (${f.msgType})`),
          field('Length', p + 1, p + 4, String(f.length)),
          field('Message sequence', p + 4, p + 6, String(f.messageSeq)),
          field('Fragment offset', p + 6, p + 9, String(f.fragmentOffset)),
          field('Fragment length', p + 9, p + 12, String(f.body.length)),
          field('Body', p + 12, end, `${f.body.length} B`)
        ]))
        p = end
      }
      for (const v of hs.violations) violationsOut(kids, v, fragAt)
      if (msgs.length > 0) name = msgs.join(', ')
    } else if (r.type === ContentType.handshake) {
      kids.push(field('Encrypted handshake message', fragAt, o + r.size, `${r.fragment.length} B`))
      name = 'encrypted handshake (finished)'
    } else if (r.type === ContentType.alert && r.epoch === 0 && r.fragment.length === 2) {
      kids.push(field('Alert', fragAt, fragAt + 2, `level ${r.fragment[0]}, description ${r.fragment[1]}`))
    } else {
      kids.push(field(r.epoch === 0 ? 'Fragment' : 'Encrypted fragment', fragAt, o + r.size, `${r.fragment.length} B`))
    }
    names.push(r.epoch > 0 && r.type !== ContentType.handshake ? `${name} (epoch ${r.epoch})` : name)
    fields.push(field(`DTLS record: ${name}`, o, o + r.size, `epoch ${r.epoch}, seq ${r.sequence}`, kids))
  }
  for (const v of violations) violationsOut(fields, v, 0)
  const first = records[0]
  return {
    fields,
    violations,
    summary: names.length > 0 ? `DTLS ${names.join('; ')}` : 'DTLS (unreadable)',
    epoch: first?.epoch ?? null,
    sequence: first?.sequence ?? null
  }
}

function violationsOut(into: Field[], v: Violation, base: number): void {
  into.push({ label: 'Violation', value: v.message, start: base + v.offset, end: base + v.offset + 1, problem: { rule: v.rule, section: v.section, message: v.message } })
}
