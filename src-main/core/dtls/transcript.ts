// SPDX-License-Identifier: Apache-2.0
// The handshake transcript (RFC 6347 §4.2.6): every handshake message of this handshake as if
// unfragmented, in order, except the first ClientHello and the HelloVerifyRequest (§4.2.1).
// Finished hashes it (RFC 5246 §7.4.9), and so does the extended master secret's session_hash
// (RFC 7627 §3) up to ClientKeyExchange. Kept as parts: a handshake is a few kilobytes at most.
import type { Crypto } from '../crypto'
import { transcriptBytes } from './handshake-header'

export class Transcript {
  #parts: Uint8Array[] = []

  add(msgType: number, messageSeq: number, body: Uint8Array): void {
    this.#parts.push(transcriptBytes(msgType, messageSeq, body))
  }

  /** Forgets everything (after a HelloVerifyRequest the handshake starts over). */
  reset(): void {
    this.#parts = []
  }

  /** The messages so far, concatenated: what a CertificateVerify signs (RFC 5246 §7.4.8). */
  bytes(): Uint8Array {
    let n = 0
    for (const p of this.#parts) n += p.length
    const out = new Uint8Array(n)
    let at = 0
    for (const p of this.#parts) {
      out.set(p, at)
      at += p.length
    }
    return out
  }

  hash(crypto: Pick<Crypto, 'sha256'>): Uint8Array {
    return crypto.sha256(...this.#parts)
  }
}
