// SPDX-License-Identifier: Apache-2.0
// pcap/pcapng files in and out of the capture (issue 16 item 4). Files are read and written in
// chunks, never whole. Imported packets keep their addresses; the live capture's frames are
// written with synthesised IP/UDP headers; ends without an IP address (a serial line) become
// 127.0.1.k, port 5683 (docs/pcap.md).
import { closeSync, openSync, readSync, writeSync } from 'node:fs'
import { ServiceError } from '../contract/errors'
import { CaptureFileReader, SECRETS_TLS_KEY_LOG, type ReadStop } from '../core/inspect/capture-file-reader'
import { pcapHeader, pcapngHeader, pcapngPacket, pcapPacket, type ExportFrame } from '../core/inspect/capture-file-writer'
import { DtlsDecryptor, type DtlsSessionReport, type PskSecret } from '../core/inspect/dtls-decryptor'
import { looksLikeDtls } from '../core/inspect/dtls-dissector'
import { udpKey, udpOf } from '../core/inspect/packet-layers'
import { nodeCrypto } from '../transports/node-crypto'
import type { CaptureService } from './capture-service'

export interface ImportResult {
  /** Packets in the file. */
  readonly packets: number
  /** Frames added to the capture (CoAP/DTLS ports, and unreadable packets shown as such). */
  readonly frames: number
  /** Packets that are not UDP to or from a CoAP port. */
  readonly skipped: number
  /** TLS key log lines found in the file's Decryption Secrets Blocks or given. */
  readonly keyLogLines: number
  readonly format: 'pcap' | 'pcapng' | null
  /** Where reading stopped early, when it did: the packets before stay imported. */
  readonly stop: ReadStop | null
  /** Ids of the first and last frame added. */
  readonly firstId: number | null
  readonly lastId: number | null
  /** The file's DTLS sessions and what became of their records (decrypted, or why not). */
  readonly dtlsSessions: readonly DtlsSessionReport[]
}

export interface ImportOptions {
  /** NSS key log text (CLIENT_RANDOM lines). */
  readonly keylog?: string
  /** Pre-shared keys for plain PSK sessions, matched by the identity in ClientKeyExchange. */
  readonly psks?: readonly PskSecret[]
}

const CHUNK = 1 << 20

export function importCaptureFile(capture: CaptureService, path: string, opts: ImportOptions = {}): ImportResult {
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch (e) {
    throw new ServiceError('capture.file', `cannot open ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
  }
  const ports = new Set(capture.settings().coapPorts)
  let packets = 0
  let frames = 0
  let skipped = 0
  let firstId: number | null = null
  let lastId: number | null = null
  const keyLog: string[] = opts.keylog ? opts.keylog.split('\n').filter((l) => l.trim() !== '') : []
  // Secrets derived from a PSK join the capture's key log, so an export decrypts in Wireshark too.
  const derived: string[] = []
  const decryptor = new DtlsDecryptor({
    crypto: nodeCrypto,
    ...(opts.psks ? { psks: opts.psks } : {}),
    cidLength: capture.settings().cidLength,
    onKeyLogLine: (l) => derived.push(l)
  })
  if (opts.keylog) decryptor.addKeyLog(opts.keylog)
  const add = (r: Parameters<CaptureService['add']>[0]): void => {
    const id = capture.add(r)
    firstId ??= id
    lastId = id
    frames++
  }
  const reader = new CaptureFileReader((p) => {
    packets++
    const layer = udpOf(p.linkType, p.data)
    if (layer.kind === 'other') {
      skipped++
      return
    }
    if (layer.kind === 'bad') {
      add({ at: p.at, direction: 'none', transport: 'unknown', src: '?', dst: '?', bytes: p.data, note: `packet ${p.number}: ${layer.problem}` })
      return
    }
    const u = layer.udp
    if (!ports.has(u.srcPort) && !ports.has(u.dstPort)) {
      skipped++
      return
    }
    const cut = u.truncated || p.originalLength > p.data.length
    const src = udpKey(u.srcAddress, u.srcPort)
    const dst = udpKey(u.dstAddress, u.dstPort)
    const dtls = looksLikeDtls(u.payload)
    const d = dtls ? decryptor.datagram(src, dst, u.payload) : null
    add({
      at: p.at, direction: 'none', transport: dtls ? 'dtls' : 'udp', src, dst, bytes: u.payload,
      ...(d?.plaintext ? { plaintext: d.plaintext } : {}),
      ...(d?.epoch !== undefined ? { epoch: d.epoch } : {}),
      ...(d?.seq !== undefined ? { seq: d.seq } : {}),
      ...(d?.cid !== undefined ? { cid: d.cid } : {}),
      ...(d?.identity !== undefined ? { identity: d.identity } : {}),
      ...(d?.undecrypted !== undefined ? { undecrypted: d.undecrypted } : {}),
      ...(cut ? { note: `packet ${p.number}: cut short in the capture (${p.data.length} of ${p.originalLength} bytes)` } : {})
    })
  }, (s) => {
    if (s.secretsType !== SECRETS_TLS_KEY_LOG) return
    // Usually before the first packet (editcap --inject-secrets, our exports); a block further on
    // serves the sessions whose handshake comes after it.
    const text = new TextDecoder().decode(s.data)
    keyLog.push(...text.split('\n').filter((l) => l.trim() !== ''))
    decryptor.addKeyLog(text)
  })
  try {
    const buf = new Uint8Array(CHUNK)
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null)
      if (n === 0) break
      reader.push(buf.subarray(0, n))
      if (reader.stopped) break
    }
  } finally {
    closeSync(fd)
  }
  const stop = reader.finish()
  for (const line of [...keyLog, ...derived]) if (!capture.keyLog.includes(line)) capture.keyLog.push(line)
  return { packets, frames, skipped, keyLogLines: keyLog.length, format: reader.format, stop, firstId, lastId, dtlsSessions: decryptor.sessions() }
}

/** "udp:10.0.0.1:5683", "udp:[::1]:5683" → address and port; other links get a synthetic address. */
function endpointAddress(key: string, lines: Map<string, number>): { address: string; port: number } {
  const m = /^[a-z0-9]+:(?:\[([^\]]+)\]|([^:]+)):(\d+)$/i.exec(key)
  if (m) {
    let address = (m[1] ?? m[2]) as string
    if (address === '0.0.0.0') address = '127.0.0.1'
    if (address === '::') address = '::1'
    return { address, port: Number(m[3]) }
  }
  let k = lines.get(key)
  if (k === undefined) {
    k = lines.size + 1
    lines.set(key, k)
  }
  return { address: `127.0.1.${Math.min(k, 254)}`, port: 5683 }
}

export interface ExportResult {
  readonly frames: number
  readonly bytes: number
}

/** Writes the capture (or the frames `filter` matches) to `path`. */
export function exportCaptureFile(capture: CaptureService, path: string, format: 'pcapng' | 'pcap', opts: { filter?: string; keyLog?: string } = {}): ExportResult {
  const store = capture.store
  const ids: { ids: ArrayLike<number>; count: number } | null = opts.filter && opts.filter.trim() !== '' ? capture.matches(opts.filter.trim()) : null
  let fd: number
  try {
    fd = openSync(path, 'w')
  } catch (e) {
    throw new ServiceError('capture.file', `cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
  }
  const lines = new Map<string, number>()
  let frames = 0
  let bytes = 0
  const pending: Uint8Array[] = []
  let pendingBytes = 0
  const flush = (): void => {
    for (const b of pending) writeSync(fd, b)
    pending.length = 0
    pendingBytes = 0
  }
  const put = (b: Uint8Array): void => {
    pending.push(b)
    pendingBytes += b.length
    bytes += b.length
    if (pendingBytes > CHUNK) flush()
  }
  const keyLog = opts.keyLog ?? (capture.keyLog.length > 0 ? capture.keyLog.join('\n') + '\n' : undefined)
  try {
    for (const h of format === 'pcapng' ? pcapngHeader(keyLog) : [pcapHeader()]) put(h)
    const one = (id: number): void => {
      const r = store.row(id)
      const b = store.bytes(id)
      if (!r || !b || r.src === '?' || r.mirror) return
      const s = endpointAddress(r.src, lines)
      const d = endpointAddress(r.dst, lines)
      const f: ExportFrame = { at: r.at, srcAddress: s.address, srcPort: s.port, dstAddress: d.address, dstPort: d.port, payload: b.wire }
      put(format === 'pcapng' ? pcapngPacket(f) : pcapPacket(f))
      frames++
    }
    if (ids) {
      // Decryption needs each session's handshake: a filtered export keeps the handshake frames
      // (those the store pins: first record change_cipher_spec or handshake) of every DTLS session
      // it holds, in capture order.
      const chosen = new Set<number>()
      const sessions = new Set<number>()
      for (let k = 0; k < ids.count; k++) {
        const id = ids.ids[k] as number
        chosen.add(id)
        const s = store.sessionOf(id)
        if (s !== null && s.session !== 0) sessions.add(s.session)
      }
      if (sessions.size > 0) {
        store.scan(store.firstId, 1, (id) => {
          const s = store.sessionOf(id)
          if (s !== null && s.pin && sessions.has(s.session)) chosen.add(id)
          return true
        })
      }
      for (const id of [...chosen].sort((a, b) => a - b)) one(id)
    } else store.scan(store.firstId, 1, (id) => (one(id), true))
    flush()
  } finally {
    closeSync(fd)
  }
  return { frames, bytes }
}
