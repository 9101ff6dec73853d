// SPDX-License-Identifier: Apache-2.0
// The capture upload's form reader (RFC 7578; framing RFC 2046 §5.1.1): the parts a browser's
// FormData produces, however the body is cut into chunks, and bodies that are not forms.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formBoundary, MultipartFormReader } from '../../../src-main/headless/multipart-form'

/** What the platform's own FormData encoder sends (Node's fetch, as a browser's). */
async function encoded(form: FormData): Promise<{ body: Buffer; type: string }> {
  const r = new Request('http://x/', { method: 'POST', body: form })
  return { body: Buffer.from(await r.arrayBuffer()), type: r.headers.get('content-type') as string }
}

function read(body: Buffer, type: string, cuts: number[]): { parts: { name: string; filename: string | null; data: string }[]; problem: string | null } {
  const parts: { name: string; filename: string | null; data: string }[] = []
  const reader = new MultipartFormReader(formBoundary(type) as string, (head) => {
    const chunks: Buffer[] = []
    return { write: (b) => chunks.push(Buffer.from(b)) > 0, end: () => parts.push({ ...head, data: Buffer.concat(chunks).toString('latin1') }) }
  })
  let at = 0
  for (const c of [...cuts.filter((c) => c > 0 && c < body.length).sort((a, b) => a - b), body.length]) {
    reader.push(body.subarray(at, c))
    at = c
  }
  return { parts, problem: reader.finish() }
}

describe('multipart/form-data upload reader (RFC 7578)', () => {
  it('reads a keylog, PSK fields and a binary file part, whatever the chunking', async () => {
    const bin = Buffer.alloc(3000)
    for (let i = 0; i < bin.length; i++) bin[i] = (i * 7) & 255
    // Bytes that look like the start of a delimiter inside the file must stay file bytes.
    bin.write('\r\n--', 100, 'latin1')
    const form = new FormData()
    form.append('keylog', new Blob(['CLIENT_RANDOM aa bb\nCLIENT_RANDOM cc dd\n']), 'keys.log')
    form.append('psk', 'dev:1:00ff')
    form.append('psk', 'dev-2:0102')
    form.append('file', new Blob([bin]), 'x.pcapng')
    const { body, type } = await encoded(form)
    const expected = [
      { name: 'keylog', filename: 'keys.log', data: 'CLIENT_RANDOM aa bb\nCLIENT_RANDOM cc dd\n' },
      { name: 'psk', filename: null, data: 'dev:1:00ff' },
      { name: 'psk', filename: null, data: 'dev-2:0102' },
      { name: 'file', filename: 'x.pcapng', data: bin.toString('latin1') }
    ]
    expect(read(body, type, [])).toEqual({ parts: expected, problem: null })
    fc.assert(fc.property(fc.array(fc.nat(body.length), { maxLength: 12 }), (cuts) => {
      expect(read(body, type, cuts)).toEqual({ parts: expected, problem: null })
    }), { numRuns: 300 })
    // One byte at a time.
    expect(read(body, type, Array.from({ length: body.length }, (_, i) => i))).toEqual({ parts: expected, problem: null })
  })

  it('takes the boundary from the Content-Type, quoted or not; other types are not forms', () => {
    expect(formBoundary('multipart/form-data; boundary=----abc')).toBe('----abc')
    expect(formBoundary('multipart/form-data; charset=utf-8; boundary="a b"')).toBe('a b')
    expect(formBoundary('application/octet-stream')).toBeNull()
    expect(formBoundary(undefined)).toBeNull()
  })

  it('says why a body is not a form: no closing boundary, a part without a name', () => {
    const type = 'multipart/form-data; boundary=XX'
    expect(read(Buffer.from('--XX\r\nContent-Disposition: form-data; name="file"\r\n\r\nabc'), type, []).problem).toMatch(/before its closing boundary/)
    expect(read(Buffer.from('--XX\r\nContent-Type: text/plain\r\n\r\nabc\r\n--XX--\r\n'), type, []).problem).toMatch(/no Content-Disposition/)
    expect(read(Buffer.from('just a pcap'), type, []).problem).toMatch(/before its closing boundary/)
  })
})
