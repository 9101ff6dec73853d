// SPDX-License-Identifier: Apache-2.0
// Issue 16 item 7: `lwm2m-wb pcap` prints one line per frame in LwM2M terms, the full trees as
// JSON lines or a JSON file, filters, and says where an unreadable file stopped.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from '../../../src-main/cli/main'
import { pcapngHeader, pcapngPacket, type ExportFrame } from '../../../src-main/core/inspect/capture-file-writer'
import { encodePayload } from '../../../src-main/core/lwm2m/formats/all'
import { CF } from '../../../src-main/core/lwm2m/content-format'
import { tempDir } from '../../helpers/temp-dir'
import { coap, c, GET, POST } from '../../core/inspect/inspect-fixtures'

const dir = tempDir()
afterAll(() => dir.cleanup())

async function cli(args: string[]): Promise<{ status: number; out: string[]; err: string[] }> {
  const out: string[] = []
  const err: string[] = []
  const status = await runCli(args, { out: (t) => out.push(t), err: (t) => err.push(t) })
  return { status, out, err }
}

const T0 = Date.parse('2026-01-31T10:00:00Z')
const dev = { address: '192.0.2.7', port: 41000 }
const srv = { address: '192.0.2.1', port: 5683 }
const up = (at: number, payload: Uint8Array): ExportFrame => ({ at: T0 + at, srcAddress: dev.address, srcPort: dev.port, dstAddress: srv.address, dstPort: srv.port, payload })
const down = (at: number, payload: Uint8Array): ExportFrame => ({ at: T0 + at, srcAddress: srv.address, srcPort: srv.port, dstAddress: dev.address, dstPort: dev.port, payload })

const tlv = encodePayload(CF.TLV, [{ path: [3, 0, 0], value: { type: 'string', value: 'Open Mobile Alliance' } }], { path: [3, 0] })
const frames = [
  up(0, coap(POST, { path: '/rd', query: ['ep=meter-42', 'lwm2m=1.2'], cf: CF.LINK, payload: '</3/0>', token: [1], mid: 1 })),
  down(3, coap(c(2, 1), { location: ['rd', 'a1'], token: [1], mid: 1 })),
  down(1000, coap(GET, { path: '/3/0', token: [2], mid: 2, accept: CF.TLV })),
  up(1012, coap(c(2, 5), { cf: CF.TLV, payload: tlv, token: [2], mid: 2 })),
  down(2000, coap(GET, { path: '/3/0/7', token: [3], mid: 3 })),
  up(2005, coap(c(4, 4), { token: [3], mid: 3 }))
]
const file = join(dir.path, 'meter.pcapng')
const bytes = Buffer.concat([...pcapngHeader(), ...frames.map(pcapngPacket)])
writeFileSync(file, bytes)

describe('lwm2m-wb pcap', () => {
  it('prints one line per frame: number, time, source → destination, LwM2M summary', async () => {
    const r = await cli(['pcap', file])
    expect(r.status).toBe(0)
    expect(r.out).toHaveLength(6)
    expect(r.out[0]).toBe('     1     0.000000 192.0.2.7:41000 → 192.0.2.1:5683 meter-42: Register')
    expect(r.out[1]).toBe('     2     0.003000 192.0.2.1:5683 → 192.0.2.7:41000 meter-42: Register 2.01 Created')
    expect(r.out[3]).toMatch(/^\s+4\s+1\.012000 192\.0\.2\.7:41000 → 192\.0\.2\.1:5683 meter-42: Read \/3\/0 Device 2\.05/)
    expect(r.out[5]).toContain('Read /3/0/7 Device › Power Source Voltage 4.04')
  })

  it('--filter selects frames; a bad filter exits 2 naming the column', async () => {
    const r = await cli(['pcap', file, '--filter', 'ep=meter-42 && code>=4.00'])
    expect(r.out).toHaveLength(1)
    const bad = await cli(['pcap', file, '--filter', 'op=reed'])
    expect(bad.status).toBe(2)
    expect(bad.err.join('')).toMatch(/column 4: unknown operation "reed"/)
  })

  it('--json prints the decoded tree, payload records with model names', async () => {
    const r = await cli(['pcap', file, '--json', '--filter', 'op=read && code=2.05'])
    expect(r.out).toHaveLength(1)
    const o = JSON.parse(r.out[0] as string) as { endpoint: string; fields: { label: string; children?: { label: string; value?: string; children?: unknown[] }[] }[] }
    expect(o.endpoint).toBe('meter-42')
    expect(JSON.stringify(o.fields)).toContain('"label":"/3/0/0 Device › Manufacturer","start"')
    expect(JSON.stringify(o.fields)).toContain('string: \\"Open Mobile Alliance\\"')
  })

  it('--export-json writes every frame with its tree to a file', async () => {
    const out = join(dir.path, 'out.json')
    const r = await cli(['pcap', file, '--export-json', out])
    expect(r.status).toBe(0)
    const list = JSON.parse(readFileSync(out, 'utf8')) as { op: string; fields: unknown[] }[]
    expect(list.map((f) => f.op)).toEqual(['register', 'register', 'read', 'read', 'read', 'read'])
  })

  it('a cut file prints what came before and the offset where reading stopped, exit 1', async () => {
    const cut = join(dir.path, 'cut.pcapng')
    writeFileSync(cut, bytes.subarray(0, bytes.length - 9))
    const r = await cli(['pcap', cut])
    expect(r.status).toBe(1)
    expect(r.out).toHaveLength(5)
    expect(r.err.join('')).toMatch(/reading stopped at offset \d+: the file ends inside a block/)
    const junk = join(dir.path, 'junk.pcap')
    writeFileSync(junk, 'GIF89a...')
    const j = await cli(['pcap', junk])
    expect(j.status).toBe(1)
    expect(j.err.join('')).toMatch(/offset 0: not a pcap or pcapng file/)
  })
})
