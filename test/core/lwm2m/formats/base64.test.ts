// SPDX-License-Identifier: Apache-2.0
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeBase64Any, encodeBase64Url } from '../../../../src-main/core/lwm2m/formats/base64'
import { utf8 } from './senml-models'

describe('base64 for SenML vd (RFC 4648 §4/§5; facts §2.3, §7)', () => {
  it('writes RFC 4648 test vectors as base64url without padding', () => {
    const vectors: [string, string][] = [['', ''], ['f', 'Zg'], ['fo', 'Zm8'], ['foo', 'Zm9v'], ['foob', 'Zm9vYg'], ['fooba', 'Zm9vYmE'], ['foobar', 'Zm9vYmFy']]
    for (const [plain, b64] of vectors) {
      expect(encodeBase64Url(utf8(plain))).toBe(b64)
      expect(decodeBase64Any(b64)).toEqual({ bytes: utf8(plain), canonical: true })
    }
    expect(encodeBase64Url(new Uint8Array([0xfb, 0xff]))).toBe('-_8')
  })
  it('reads padded and standard-alphabet forms as non-canonical, refuses garbage', () => {
    expect(decodeBase64Any('Zm8=')).toEqual({ bytes: utf8('fo'), canonical: false })
    expect(decodeBase64Any('+/8')).toEqual({ bytes: new Uint8Array([0xfb, 0xff]), canonical: false })
    for (const bad of ['Z', 'Zm8==', 'Zm9', 'Z===', '+_8', 'Zm 8', 'Zh']) expect(decodeBase64Any(bad)).toBeNull()
  })
  it('round-trips any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array(), (b) => {
        expect(decodeBase64Any(encodeBase64Url(b))).toEqual({ bytes: b, canonical: true })
      }),
      { numRuns: 2000 }
    )
  })
})
