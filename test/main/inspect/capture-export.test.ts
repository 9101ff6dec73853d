// SPDX-License-Identifier: Apache-2.0
// Issue 16 item 4, exports: serial frames become UDP tshark decodes as CoAP, and a filtered export
// of DTLS traffic keeps the sessions' handshake records so the secrets block can decrypt it.
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { encodeRecord } from '../../../src-main/core/dtls/record'
import { encodeHandshakeFragments } from '../../../src-main/core/dtls/handshake-header'
import { exportCaptureFile } from '../../../src-main/services/capture-files'
import { CaptureService } from '../../../src-main/services/capture-service'
import { EventHub } from '../../../src-main/services/event-hub'
import { tempDir } from '../../helpers/temp-dir'
import { coap, c, GET } from '../../core/inspect/inspect-fixtures'

const dir = tempDir()
afterAll(() => dir.cleanup())
const fresh = (): CaptureService => new CaptureService({ events: new EventHub(), models: () => ({ get: () => undefined }) })

describe('exports', () => {
  it('serial frames are written as UDP on port 5683 between 127.0.1.k addresses, and tshark decodes their CoAP', () => {
    const cap = fresh()
    cap.add({ at: 1000, direction: 'out', transport: 'serial', src: 'serial:local', dst: 'serial:/dev/ttyUSB0', bytes: coap(GET, { path: '/3/0/0', token: [1], mid: 1 }) })
    cap.add({ at: 1010, direction: 'in', transport: 'serial', src: 'serial:/dev/ttyUSB0', dst: 'serial:local', bytes: coap(c(2, 5), { token: [1], mid: 1, cf: 0, payload: 'ACME' }) })
    const out = join(dir.path, 'serial.pcapng')
    expect(exportCaptureFile(cap, out, 'pcapng').frames).toBe(2)
    const lines = execFileSync('tshark', ['-r', out, '-T', 'fields', '-e', 'ip.src', '-e', 'udp.dstport', '-e', 'coap.code', '-e', 'coap.opt.uri_path_recon'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n')
    expect(lines).toEqual(['127.0.1.1\t5683\t1\t/3/0/0', '127.0.1.2\t5683\t69\t/3/0/0'])
  })

  it('a filtered export of DTLS keeps each chosen session\'s handshake records', () => {
    const cap = fresh()
    const a = 'udp:10.0.0.2:40000'
    const b = 'udp:10.0.0.1:5684'
    const hello = encodeRecord({ type: 22, version: 0xfefd, epoch: 0, sequence: 0, fragment: encodeHandshakeFragments([{ msgType: 1, length: 4, messageSeq: 0, fragmentOffset: 0, body: new Uint8Array(4) }]) })
    const ccs = encodeRecord({ type: 20, version: 0xfefd, epoch: 0, sequence: 1, fragment: new Uint8Array([1]) })
    const app = (seq: number): Uint8Array => encodeRecord({ type: 23, version: 0xfefd, epoch: 1, sequence: seq, fragment: new Uint8Array(24) })
    cap.add({ at: 1, direction: 'none', transport: 'dtls', src: a, dst: b, bytes: hello })
    cap.add({ at: 2, direction: 'none', transport: 'dtls', src: b, dst: a, bytes: ccs })
    cap.add({ at: 3, direction: 'none', transport: 'dtls', src: 'udp:10.0.0.3:1', dst: b, bytes: hello })
    cap.add({ at: 4, direction: 'none', transport: 'dtls', src: a, dst: b, bytes: app(2) })
    cap.add({ at: 5, direction: 'none', transport: 'dtls', src: a, dst: b, bytes: app(3) })
    const out = join(dir.path, 'dtls.pcapng')
    const r = exportCaptureFile(cap, out, 'pcapng', { filter: 'time>=1970-01-01T00:00:00.004Z' })
    // The two application records, plus the hello and change_cipher_spec of their session (not the other session's hello).
    expect(r.frames).toBe(4)
    const seqs = execFileSync('tshark', ['-r', out, '-d', 'udp.port==5684,dtls', '-T', 'fields', '-e', 'dtls.record.content_type'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n')
    expect(seqs).toEqual(['22', '20', '23', '23'])
  })
})
