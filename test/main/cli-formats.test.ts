// `lwm2m-wb decode` / `encode` (issue 3 item 5) as users run them.
import { afterAll, describe, expect, it } from 'vitest'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { BIN, runCli } from '../helpers/cli'
import { tempDir } from '../helpers/temp-dir'

const dir = tempDir()
afterAll(() => dir.cleanup())
const json = (s: string) => JSON.parse(s)

describe('lwm2m-wb decode', () => {
  it('C §7.5.5 TLV: /1/0/1 = 3600 and /1/0/7 = "U" (facts §2.2)', () => {
    const r = runCli(['decode', '--format', 'tlv', '--path', '/1/0', 'C2 01 0E 10 C1 07 55'])
    expect(r.status).toBe(0)
    expect(json(r.stdout)).toEqual({
      format: 'tlv',
      contentFormat: 11542,
      records: [
        { path: '/1/0/1', type: 'integer', value: 3600 },
        { path: '/1/0/7', type: 'string', value: 'U' }
      ],
      violations: [],
      violationsTotal: 0
    })
  })
  it('accepts a number, a legacy number, @file and stdin', () => {
    const file = join(dir.path, 'p.bin')
    // /0/0/17 OSCORE Security Mode is an Objlnk (facts §5): 66:0
    writeFileSync(file, Buffer.from('c411' + '00420000', 'hex'))
    const byFile = runCli(['decode', '--format', '11542', '--path', '/0/0/17', '@' + file])
    expect(json(byFile.stdout).records).toEqual([{ path: '/0/0/17', type: 'objlnk', value: '66:0' }])
    const stdin = spawnSync(process.execPath, [BIN, 'decode', '--format', '1541', '--path', '/1/0/1', '-'], { input: '3600', encoding: 'utf8' })
    expect(json(stdin.stdout)).toMatchObject({ format: 'text', records: [{ path: '/1/0/1', type: 'integer', value: 3600 }] })
  })
  it('a broken payload: exit 1 with the violation (offset, rule, section), no stack trace', () => {
    const r = runCli(['decode', '--format', 'tlv', '--path', '/3/0', 'C8 00 FF 41'])
    expect(r.status).toBe(1)
    const out = json(r.stdout)
    expect(out.violations[0]).toMatchObject({ offset: 0, rule: 'tlv.length-overrun', severity: 'error' })
    expect(out.violations[0].section).toMatch(/§7\.5\.5/)
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })
  it('a warning (non-preferred CBOR length, RFC 8949 §4.2.1) is reported but does not fail the command', () => {
    // CBOR 60 unsigned 5 written with a one-byte argument (18 05) instead of the preferred 05.
    const r = runCli(['decode', '--format', 'cbor', '--path', '/3/0/9', '1805'])
    expect(r.status).toBe(0)
    const out = json(r.stdout)
    expect(out.records).toEqual([{ path: '/3/0/9', type: 'integer', value: 5 }])
    expect(out.violations).toEqual([expect.objectContaining({ rule: 'cbor.non-preferred', severity: 'warning' })])
  })
  it('issue 12 item 19: a 1 MB hostile TLV prints 100 violations and violationsTotal, not 72 MB', () => {
    const file = join(dir.path, 'hostile.tlv')
    // 333 333 Resource Instance TLVs (41 00 00) where /3/0 wants resources: one violation each.
    writeFileSync(file, Buffer.alloc(333_333 * 3, Buffer.from('410000', 'hex')))
    const r = runCli(['decode', '--format', 'tlv', '--path', '/3/0', '@' + file])
    expect(r.status).toBe(1)
    const out = json(r.stdout)
    expect(out.violations).toHaveLength(100)
    expect(out.violationsTotal).toBe(333_333)
    expect(out.violationsOmitted).toEqual({ 'tlv.kind-not-allowed': 333_233 })
    expect(r.stdout.length).toBeLessThan(60_000)
  })
  it('issue 12 item 19: an error past the first 100 violations still fails the command', () => {
    // LwM2M CBOR {[32000,0]: {0..149 as non-preferred 2-byte keys: 1, then key 0 again}}: 151
    // warnings listed first (cbor.non-preferred), the duplicate path error only counted.
    let hex = 'a1 82197d0000 b8 97'
    for (let k = 0; k < 150; k++) hex += ' 1900' + k.toString(16).padStart(2, '0') + '01'
    hex += ' 190000 01'
    const r = runCli(['decode', '--format', 'lwm2m-cbor', hex])
    const out = json(r.stdout)
    expect(out.violations.every((v: { severity: string }) => v.severity === 'warning')).toBe(true)
    expect(out.violationsOmitted).toEqual({ 'cbor.non-preferred': 51, 'lwm2m-cbor.duplicate-path': 1 })
    expect(r.status).toBe(1)
  })
  it('bad arguments: exit 2 with one line', () => {
    for (const args of [
      ['decode', '--format', 'tlv', 'zz'],
      ['decode', '--format', 'morse', '00'],
      ['decode', '--format', 'tlv', '--path', '/3/x', '00'],
      ['decode', 'c2'],
      ['decode', '--format', 'tlv', 'abc']
    ]) {
      const r = runCli(args)
      expect(r.status, args.join(' ')).toBe(2)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
    }
  })
  it('link format (40): a Register payload with ver= and the root ct= (RD-01)', () => {
    const payload = Buffer.from('</>;ct=110,</1>;ver=1.2,</1/0>,</3/0>').toString('hex')
    const r = runCli(['decode', '--format', 'link', payload])
    expect(r.status).toBe(0)
    const out = json(r.stdout)
    expect(out.links).toEqual([
      { target: '/', path: '/', attributes: { ct: 110 } },
      { target: '/1', path: '/1', attributes: { ver: '1.2' } },
      { target: '/1/0', path: '/1/0', attributes: {} },
      { target: '/3/0', path: '/3/0', attributes: {} }
    ])
  })
  it('types values with a user DDF folder (--models)', () => {
    const folder = join(dir.path, 'ddf')
    mkdirSync(folder, { recursive: true })
    writeFileSync(
      join(folder, 'x.xml'),
      `<LWM2M><Object ObjectType="MODefinition"><Name>Gauge</Name><ObjectID>32771</ObjectID><MultipleInstances>Single</MultipleInstances>
       <Mandatory>Optional</Mandatory><Resources><Item ID="1"><Name>Level</Name><Operations>R</Operations>
       <MultipleInstances>Single</MultipleInstances><Mandatory>Mandatory</Mandatory><Type>Float</Type></Item></Resources></Object></LWM2M>`
    )
    const without = json(runCli(['decode', '--format', 'text', '--path', '/32771/0/1', Buffer.from('22.5').toString('hex')]).stdout)
    expect(without.records[0].type).toBe('string')
    const withModels = json(runCli(['decode', '--format', 'text', '--path', '/32771/0/1', '--models', folder, Buffer.from('22.5').toString('hex')]).stdout)
    expect(withModels.records[0]).toEqual({ path: '/32771/0/1', type: 'float', value: 22.5 })
  })
})

describe('lwm2m-wb encode', () => {
  it('C §7.5.5 TLV: /1/0/1 = 3600 → c2010e10, deterministically', () => {
    const a = runCli(['encode', '--format', 'tlv', '--path', '/1/0/1', '[{"path":"/1/0/1","type":"integer","value":3600}]'])
    expect(a.status).toBe(0)
    expect(a.stdout.trim()).toBe('c2010e10')
  })
  it('decode output pipes back into encode to the same bytes', () => {
    const hex = '0700c2010e10c10755'
    const decoded = runCli(['decode', '--format', 'tlv', '--path', '/1', hex]).stdout
    const r = spawnSync(process.execPath, [BIN, 'encode', '--format', 'tlv', '--path', '/1', '-'], { input: decoded, encoding: 'utf8' })
    expect(r.stdout.trim()).toBe(hex)
  })
  it('refuses a value the model forbids: exit 1 with the reason', () => {
    const r = runCli(['encode', '--format', 'tlv', '--path', '/1/0/1', '[{"path":"/1/0/1","type":"string","value":"soon"}]'])
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/integer|type/i)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
  })
  it('bad records JSON: exit 2', () => {
    expect(runCli(['encode', '--format', 'tlv', '[{']).status).toBe(2)
    expect(runCli(['encode', '--format', 'tlv', '{"x":1}']).status).toBe(1)
  })
})
