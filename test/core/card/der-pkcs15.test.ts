// SPDX-License-Identifier: Apache-2.0
// The PKCS#15 structure of LwM2M Core App. G (letters per 1.1.1, unverified for 1.2), against
// the facts' bytes (§4.1, §4.2), and the DER reader fuzzed.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { oidContent, oidToString, readDer } from '../../../src-main/core/card/der'
import { findLwm2mObject, isPkcs15Aid, parseDirRecord, parseDodf, parseFcp, parseOdf, PKCS15_AID, readOid, selectPath } from '../../../src-main/core/card/pkcs15'

const hex = (s: string): Uint8Array => new Uint8Array((s.replace(/[^0-9a-fA-F]/g, '').match(/../g) ?? []).map((b) => parseInt(b, 16)))
const ascii = (s: string): string => [...new TextEncoder().encode(s)].map((b) => b.toString(16).padStart(2, '0')).join('')
const toHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')

// facts §4.2 step 4: the DODF of Nordic's test card, with the spec's double-wrapped OID.
const DODF = hex(`A1 27 30 00 30 11 0C 0F ${ascii('LwM2M Bootstrap')} A1 10 30 0E 06 06 06 04 67 2B 09 01 30 04 04 02 64 32`)

describe('PKCS#15 navigation (App. G, facts §4.1/§4.2)', () => {
  it('reads the ODF example: [7] dataObjects → DODF path 6430', () => {
    const r = parseOdf(hex('A7 06 30 04 04 02 64 30'))
    expect(r.violations).toEqual([])
    expect(r.dodfPaths.map(toHex)).toEqual(['6430'])
  })

  it('finds the LwM2M oidDO 2.23.43.9.1 in the facts DODF (double-wrapped OID) → path 6432', () => {
    const r = parseDodf(DODF)
    expect(r.violations).toEqual([])
    const o = findLwm2mObject(r.objects)
    expect(o).toMatchObject({ kind: 'oidDO', oid: '2.23.43.9.1', oidEncoding: 'double-wrapped', applicationName: 'LwM2M Bootstrap', private: false })
    expect(toHex(o!.path!)).toBe('6432')
  })

  it('takes the plain OID encoding (06 04 67 2B 09 01) as well', () => {
    const plain = hex(`A1 25 30 00 30 11 0C 0F ${ascii('LwM2M Bootstrap')} A1 0E 30 0C 06 04 67 2B 09 01 30 04 04 02 64 32`)
    const o = findLwm2mObject(parseDodf(plain).objects)
    expect(o).toMatchObject({ oid: '2.23.43.9.1', oidEncoding: 'plain' })
  })

  it('reads the private flag and authId of CommonObjectAttributes (PIN needed)', () => {
    const dodf = hex(`A1 2E 30 07 03 02 07 80 04 01 01 30 11 0C 0F ${ascii('LwM2M Bootstrap')} A1 10 30 0E 06 06 06 04 67 2B 09 01 30 04 04 02 64 32`)
    const r = parseDodf(dodf)
    expect(r.violations).toEqual([])
    expect(findLwm2mObject(r.objects)).toMatchObject({ private: true, modifiable: false, authId: '01' })
  })

  it('a DODF without the LwM2M OID has no LwM2M object', () => {
    const other = hex('A1 0E 30 00 30 00 A1 08 30 06 06 01 2A 04 01 00')
    expect(findLwm2mObject(parseDodf(other).objects)).toBeUndefined()
  })

  it('reads the PKCS#15 application template of EF(DIR), FF padding after it', () => {
    const rec = hex(`61 1A 4F 0C ${toHex(PKCS15_AID)} 50 06 ${ascii('PKCS15')} 51 02 3F 00 FF FF FF`)
    const r = parseDirRecord(rec)
    expect(r.violations).toEqual([])
    expect(r.applications).toHaveLength(1)
    expect(isPkcs15Aid(r.applications[0]!.aid)).toBe(true)
    expect(r.applications[0]!.label).toBe('PKCS15')
  })

  it('SELECT by path from the MF: a path relative to the application gets 7FFF (facts §4.2 steps 3-5)', () => {
    expect(toHex(selectPath(hex('6432')))).toBe('7fff6432')
    expect(toHex(selectPath(hex('3F00 7FFF 5031')))).toBe('7fff5031')
    expect(toHex(selectPath(hex('7FFF 6430')))).toBe('7fff6430')
  })

  it('reads an FCP: transparent EF size and FID, linear fixed record layout', () => {
    expect(parseFcp(hex('62 0F 82 02 41 21 83 02 50 31 80 02 00 08 8A 01 05'))).toEqual({ size: 8, fid: 0x5031, structure: 'transparent', recordLength: null, recordCount: null })
    expect(parseFcp(hex('62 11 82 05 42 21 00 20 02 83 02 2F 00 8A 01 05'))).toMatchObject({ size: 64, structure: 'linear-fixed', recordLength: 32, recordCount: 2 })
  })
})

describe('DER reader (X.690)', () => {
  it('OID 2.23.43.9.1 is 67 2B 09 01 both ways', () => {
    expect(toHex(oidContent('2.23.43.9.1'))).toBe('672b0901')
    expect(oidToString(hex('67 2B 09 01'))).toBe('2.23.43.9.1')
    expect(readOid(readDer(hex('06 04 67 2B 09 01')).nodes[0]!)).toEqual({ oid: '2.23.43.9.1', encoding: 'plain' })
  })

  it('flags truncation, indefinite and non-minimal lengths instead of throwing', () => {
    expect(readDer(hex('30 05 04 01')).violations.map((v) => v.rule)).toContain('der.value-truncated')
    expect(readDer(hex('30 80 00 00')).violations.map((v) => v.rule)).toEqual(['der.indefinite-length'])
    expect(readDer(hex('04 81 01 AA')).violations.map((v) => v.rule)).toEqual(['der.length-not-minimal'])
  })

  it('any bytes: no throw, nodes stay inside the input (fuzz)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        const r = readDer(b)
        const check = (n: { offset: number; headerLength: number; value: Uint8Array; children: unknown[] }): void => {
          expect(n.offset + n.headerLength + n.value.length).toBeLessThanOrEqual(b.length)
          for (const c of n.children as (typeof n)[]) check(c)
        }
        r.nodes.forEach(check)
        parseDodf(b)
        parseOdf(b)
        parseDirRecord(b)
        parseFcp(b)
      }),
      { numRuns: 3000 }
    )
  })

  it('dotted OIDs round trip (fuzz)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 39 }), fc.array(fc.integer({ min: 0, max: 2 ** 31 }), { maxLength: 8 }), (a, b, rest) => {
        const dotted = [a, b, ...rest].join('.')
        expect(oidToString(oidContent(dotted))).toBe(dotted)
      })
    )
  })
})
