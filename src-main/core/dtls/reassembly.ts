// SPDX-License-Identifier: Apache-2.0
// Handshake message reassembly and ordering (RFC 6347 §4.2.2, §4.2.3; dtls-facts §2.2): fragments
// of one message_seq are collected with a byte-coverage map, so overlapping, duplicated and
// differently cut retransmissions all count (pion/dtls#1099), and complete messages are handed
// out strictly in message_seq order. What is held is bounded: a message may not claim more than
// `maxMessageLength` bytes, only `maxMessagesAhead` future messages are buffered, and all buffers
// together stay under `maxBufferedBytes`; beyond that a fragment is dropped (the peer retransmits).
// Fragments of a message_seq already handed out are reported 'old': a retransmitted flight from
// the peer, which RFC 6347 §4.2.4 answers by resending our last flight.
import type { Violation } from '../violation'
import type { HandshakeFragment } from './handshake-header'

export interface HandshakeMessage {
  readonly msgType: number
  readonly messageSeq: number
  readonly body: Uint8Array
}

export interface ReassemblyLimits {
  /** Largest message body accepted; default 64 KiB (a certificate chain fits well below). */
  readonly maxMessageLength?: number
  /** How many message_seq values beyond the next expected one may be buffered; default 8. */
  readonly maxMessagesAhead?: number
  /** All partial message buffers together; default 128 KiB. */
  readonly maxBufferedBytes?: number
}

export type PushOutcome =
  /** Taken in (possibly adding no new bytes, e.g. a duplicate); see take() for complete messages. */
  | { readonly kind: 'accepted' }
  /** message_seq below the next expected one: the peer retransmits a flight (RFC 6347 §4.2.4). */
  | { readonly kind: 'old' }
  /** Not kept for lack of room (too far ahead, or the buffers are full); nothing is wrong with it. */
  | { readonly kind: 'dropped'; readonly reason: string }
  /** Not acceptable whatever the room: it contradicts itself or earlier fragments, or is too large. */
  | { readonly kind: 'rejected'; readonly violation: Violation }

interface Assembly {
  readonly msgType: number
  readonly body: Uint8Array
  /** Covered byte ranges [start, end), sorted and merged. */
  covered: [number, number][]
  complete: boolean
}

const S_FRAGMENT = 'RFC 6347 §4.2.3'

function rejected(rule: string, message: string): PushOutcome {
  return { kind: 'rejected', violation: { offset: 0, rule, section: S_FRAGMENT, message } }
}

/** Adds [s, e) to sorted, merged ranges. */
function cover(ranges: [number, number][], s: number, e: number): [number, number][] {
  const out: [number, number][] = []
  let placed = false
  for (const r of ranges) {
    if (r[1] < s) out.push(r)
    else if (r[0] > e) {
      if (!placed) {
        out.push([s, e])
        placed = true
      }
      out.push(r)
    } else {
      s = Math.min(s, r[0])
      e = Math.max(e, r[1])
    }
  }
  if (!placed) out.push([s, e])
  return out
}

export class HandshakeReassembler {
  private next: number
  private readonly pending = new Map<number, Assembly>()
  private buffered = 0
  private readonly maxMessageLength: number
  private readonly maxMessagesAhead: number
  private readonly maxBufferedBytes: number

  constructor(nextSeq = 0, limits: ReassemblyLimits = {}) {
    this.next = nextSeq
    this.maxMessageLength = limits.maxMessageLength ?? 65536
    this.maxMessagesAhead = limits.maxMessagesAhead ?? 8
    this.maxBufferedBytes = limits.maxBufferedBytes ?? 131072
  }

  /** The message_seq the next take() will return. */
  get nextSeq(): number {
    return this.next
  }

  /** Bytes held in partial and complete-but-untaken messages. */
  get bufferedBytes(): number {
    return this.buffered
  }

  push(f: HandshakeFragment): PushOutcome {
    const seq = f.messageSeq
    if (seq < this.next) return { kind: 'old' }
    if (seq >= this.next + this.maxMessagesAhead) {
      return { kind: 'dropped', reason: `message_seq ${seq} is more than ${this.maxMessagesAhead} ahead of the next expected ${this.next}` }
    }
    const end = f.fragmentOffset + f.body.length
    if (f.length > this.maxMessageLength) {
      return rejected('dtls.handshake-too-large', `A ${f.length}-byte handshake message is above the ${this.maxMessageLength}-byte limit.`)
    }
    if (end > f.length) {
      return rejected('dtls.handshake-fragment-bounds', `Fragment bytes ${f.fragmentOffset}..${end} lie beyond the ${f.length}-byte message.`)
    }
    let m = this.pending.get(seq)
    if (m === undefined) {
      if (this.buffered + f.length > this.maxBufferedBytes) {
        return { kind: 'dropped', reason: `buffering ${f.length} more bytes would pass the ${this.maxBufferedBytes}-byte limit` }
      }
      m = { msgType: f.msgType, body: new Uint8Array(f.length), covered: [], complete: false }
      this.pending.set(seq, m)
      this.buffered += f.length
    } else if (m.msgType !== f.msgType || m.body.length !== f.length) {
      return rejected('dtls.handshake-fragment-mismatch',
        `Fragments of message_seq ${seq} disagree: type ${f.msgType} and length ${f.length} after type ${m.msgType} and length ${m.body.length}.`)
    }
    if (m.complete) return { kind: 'accepted' }
    m.body.set(f.body, f.fragmentOffset)
    m.covered = cover(m.covered, f.fragmentOffset, end)
    const first = m.covered[0]!
    m.complete = m.covered.length === 1 && first[0] === 0 && first[1] === f.length
    return { kind: 'accepted' }
  }

  /** The next message in message_seq order once it is complete, else null. */
  take(): HandshakeMessage | null {
    const m = this.pending.get(this.next)
    if (m === undefined || !m.complete) return null
    this.pending.delete(this.next)
    this.buffered -= m.body.length
    return { msgType: m.msgType, messageSeq: this.next++, body: m.body }
  }

  /** Forgets everything buffered and expects `nextSeq` next (a new handshake). */
  reset(nextSeq = 0): void {
    this.pending.clear()
    this.buffered = 0
    this.next = nextSeq
  }
}
