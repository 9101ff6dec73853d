// SPDX-License-Identifier: Apache-2.0
// Throughput of our AES-128-CCM_8 (core/dtls/aes-ccm.ts on the Crypto port's AES block function)
// against node:crypto's native aes-128-ccm, which Electron's BoringSSL lacks: the price of
// carrying our own CCM. Sizes are a small CoAP message (100 B) and a block-wise chunk (1 KiB);
// nonce and AAD have the DTLS 1.2 shapes (12 and 13 bytes, RFC 6655 §3, RFC 6347 §4.1.2.1).
// Also the whole record step (record-protection.ts seal/open of a CCM_8 record) for context.
//
// Run: `npm run bench -- dtls-crypto` (or `npx node test/bench/run.mjs dtls-crypto`).
// Prints, per size and operation, records/s and MB/s of ours and node's and the median per-round
// ratio ours/node (above 1: ours is faster). No goal is set yet; the DTLS benchmark of issue 15
// measures handshakes and round trips against a crypto-only bound.
import { createCipheriv, createDecipheriv } from 'node:crypto'
import { ccmOpen, ccmSeal } from '../../src-main/core/dtls/aes-ccm'
import { cipherSuite } from '../../src-main/core/dtls/cipher-suites'
import { DTLS_1_2 } from '../../src-main/core/dtls/record'
import { createRecordProtection } from '../../src-main/core/dtls/record-protection'
import { nodeCrypto } from '../../src-main/transports/node-crypto'
import { paired } from './paired'

/** Crypto calls are short: 20 between clock reads. */
const pairedBatch = (a: () => unknown, b: () => unknown) => paired(a, b, 15, 40, 20)

const key = Uint8Array.from({ length: 16 }, (_, i) => i * 17)
const salt = new Uint8Array([0x68, 0xde, 0x0b, 0xff])
const explicit = new Uint8Array([0, 1, 0, 0, 0, 0, 0, 1])
const nonce = new Uint8Array([...salt, ...explicit])
const aes = nodeCrypto.aesEncryptor(key)

function nodeSeal(aad: Uint8Array, pt: Uint8Array): Uint8Array {
  const c = createCipheriv('aes-128-ccm', key, nonce, { authTagLength: 8 })
  c.setAAD(aad, { plaintextLength: pt.length })
  const ct = c.update(pt)
  c.final()
  return Buffer.concat([ct, c.getAuthTag()])
}

function nodeOpen(aad: Uint8Array, sealed: Uint8Array): Uint8Array | null {
  const n = sealed.length - 8
  const d = createDecipheriv('aes-128-ccm', key, nonce, { authTagLength: 8 })
  d.setAuthTag(sealed.subarray(n))
  d.setAAD(aad, { plaintextLength: n })
  const pt = d.update(sealed.subarray(0, n))
  try {
    d.final()
    return pt
  } catch {
    return null
  }
}

interface Row { size: number; op: string; ours: number; node: number; ratio: number }
const rows: Row[] = []
const suite = cipherSuite(0xc0a8)!
const protection = createRecordProtection(nodeCrypto, suite, { macKey: new Uint8Array(0), key, iv: salt })

for (const size of [100, 1024]) {
  const pt = Uint8Array.from({ length: size }, (_, i) => i & 0xff)
  const aad = new Uint8Array([...explicit, 23, 0xfe, 0xfd, size >> 8, size & 0xff])
  const sealed = ccmSeal(aes, nonce, aad, pt, 8)
  if (Buffer.compare(Buffer.from(sealed), Buffer.from(nodeSeal(aad, pt))) !== 0) throw new Error('our CCM_8 disagrees with node:crypto')
  if (ccmOpen(aes, nonce, aad, sealed, 8) === null || nodeOpen(aad, sealed) === null) throw new Error('open failed')

  const seal = pairedBatch(() => ccmSeal(aes, nonce, aad, pt, 8), () => nodeSeal(aad, pt))
  rows.push({ size, op: 'CCM_8 seal', ours: seal.a, node: seal.b, ratio: seal.ratio })
  const open = pairedBatch(() => ccmOpen(aes, nonce, aad, sealed, 8), () => nodeOpen(aad, sealed))
  rows.push({ size, op: 'CCM_8 open', ours: open.a, node: open.b, ratio: open.ratio })

  const header = { type: 23, version: DTLS_1_2, epoch: 1, sequence: 1 }
  const record = protection.seal(header, pt)
  const recSeal = pairedBatch(() => protection.seal(header, pt), () => nodeSeal(aad, pt))
  rows.push({ size, op: 'record seal (record-protection)', ours: recSeal.a, node: recSeal.b, ratio: recSeal.ratio })
  const recOpen = pairedBatch(() => protection.open(record), () => nodeOpen(aad, sealed))
  rows.push({ size, op: 'record open (record-protection)', ours: recOpen.a, node: recOpen.b, ratio: recOpen.ratio })
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US').padStart(9)
const mb = (ops: number, size: number) => ((ops * size) / 1e6).toFixed(1).padStart(6)
console.log(`AES-128-CCM_8, ours (on the AES block port) vs node:crypto aes-128-ccm — node ${process.version}`)
console.log(`${'size'.padStart(5)}  ${'operation'.padEnd(32)} ${'ours rec/s'.padStart(10)} ${'MB/s'.padStart(6)} ${'node rec/s'.padStart(10)} ${'MB/s'.padStart(6)}  ours/node`)
for (const r of rows) {
  console.log(`${String(r.size).padStart(5)}  ${r.op.padEnd(32)} ${fmt(r.ours)}  ${mb(r.ours, r.size)} ${fmt(r.node)}  ${mb(r.node, r.size)}  ${r.ratio.toFixed(2)}`)
}
