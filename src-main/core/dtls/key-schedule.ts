// SPDX-License-Identifier: Apache-2.0
// From pre-master secret to record keys and Finished (dtls-facts §3.2, §3.3, §2.6, §2.10):
//   master secret          PRF(pms, "master secret", client_random ‖ server_random)[0..47]   RFC 5246 §8.1
//   extended master secret PRF(pms, "extended master secret", session_hash)[0..47]           RFC 7627 §4
//   key block              PRF(master, "key expansion", server_random ‖ client_random)        RFC 5246 §6.3
//   verify_data            PRF(master, finished_label, Hash(handshake_messages))[0..11]      RFC 5246 §7.4.9
// session_hash and the Finished hash are SHA-256 over the DTLS transcript, computed by the
// handshake (RFC 7627 §3, RFC 6347 §4.2.6).
import type { Crypto } from '../crypto'
import { keyBlockLength, type CipherSuite } from './cipher-suites'
import { prf } from './prf'

export const MASTER_SECRET_LENGTH = 48
export const VERIFY_DATA_LENGTH = 12

function joined(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a)
  out.set(b, a.length)
  return out
}

function checkRandom(r: Uint8Array, what: string): void {
  if (r.length !== 32) throw new RangeError(`${what} is ${r.length} bytes (32; RFC 5246 §7.4.1.2)`)
}

/** Master secret without extended master secret (RFC 5246 §8.1). */
export function masterSecret(crypto: Crypto, premaster: Uint8Array, clientRandom: Uint8Array, serverRandom: Uint8Array): Uint8Array {
  checkRandom(clientRandom, 'client_random')
  checkRandom(serverRandom, 'server_random')
  return prf(crypto, premaster, 'master secret', joined(clientRandom, serverRandom), MASTER_SECRET_LENGTH)
}

/** Master secret with extended master secret (RFC 7627 §4); `sessionHash` = SHA-256 of CH…CKE. */
export function extendedMasterSecret(crypto: Crypto, premaster: Uint8Array, sessionHash: Uint8Array): Uint8Array {
  return prf(crypto, premaster, 'extended master secret', sessionHash, MASTER_SECRET_LENGTH)
}

/** One direction's record keys; empty arrays where the suite needs none. */
export interface WriteKeys {
  readonly macKey: Uint8Array
  readonly key: Uint8Array
  /** The AEAD implicit nonce part ("salt"); empty for CBC, whose IV travels in each record. */
  readonly iv: Uint8Array
}

export interface KeyBlock {
  readonly client: WriteKeys
  readonly server: WriteKeys
}

/**
 * The key block cut in RFC 5246 §6.3 order: client MAC key, server MAC key, client key, server
 * key, client IV, server IV. Note the random order: server_random first.
 */
export function keyBlock(crypto: Crypto, master: Uint8Array, clientRandom: Uint8Array, serverRandom: Uint8Array, suite: CipherSuite): KeyBlock {
  checkRandom(clientRandom, 'client_random')
  checkRandom(serverRandom, 'server_random')
  const block = prf(crypto, master, 'key expansion', joined(serverRandom, clientRandom), keyBlockLength(suite))
  let at = 0
  const take = (n: number): Uint8Array => block.slice(at, (at += n))
  const clientMac = take(suite.macKeyLength)
  const serverMac = take(suite.macKeyLength)
  const clientKey = take(suite.encKeyLength)
  const serverKey = take(suite.encKeyLength)
  const clientIv = take(suite.fixedIvLength)
  const serverIv = take(suite.fixedIvLength)
  return {
    client: { macKey: clientMac, key: clientKey, iv: clientIv },
    server: { macKey: serverMac, key: serverKey, iv: serverIv }
  }
}

/** Finished.verify_data (RFC 5246 §7.4.9); `transcriptHash` = SHA-256 of the messages so far. */
export function verifyData(crypto: Crypto, master: Uint8Array, sender: 'client' | 'server', transcriptHash: Uint8Array): Uint8Array {
  return prf(crypto, master, sender === 'client' ? 'client finished' : 'server finished', transcriptHash, VERIFY_DATA_LENGTH)
}
