// Issue 12 item 7: one endpoint-name rule, counted in bytes of UTF-8.
import { describe, expect, it } from 'vitest'
import { endpointNameProblem, MAX_ENDPOINT_BYTES } from '../../../src-main/core/lwm2m/endpoint-name'

describe('endpoint name rule (C §6.2.1 names; limit ours)', () => {
  it('accepts ordinary names, URNs and non-ASCII names within 256 bytes', () => {
    for (const n of ['dev1', 'urn:imei:490154203237518', 'urn:uuid:4a8b1c2d-0000-4000-8000-000000000001', 'größe-ü', 'x'.repeat(256), '€'.repeat(85), '😀'.repeat(64)])
      expect(endpointNameProblem(n), n).toBeNull()
  })
  it('counts bytes, not characters: 86 × "€" is 258 bytes', () => {
    expect(endpointNameProblem('€'.repeat(86))).toMatch(/256 bytes/)
    expect(endpointNameProblem('x'.repeat(257))).toMatch(/256 bytes/)
    expect(endpointNameProblem('😀'.repeat(65))).toMatch(/256 bytes/)
    expect(endpointNameProblem('x'.repeat(60_000))).toMatch(/256 bytes/)
    expect(MAX_ENDPOINT_BYTES).toBe(256)
  })
  it('refuses control characters (NUL, ESC, DEL, C1) and says where', () => {
    expect(endpointNameProblem('dev\u00001')).toMatch(/U\+0000\) at position 3/)
    expect(endpointNameProblem('\u001b[31mred')).toMatch(/U\+001B/)
    expect(endpointNameProblem('a\u007f')).toMatch(/U\+007F/)
    expect(endpointNameProblem('a\u0085')).toMatch(/U\+0085/)
    expect(endpointNameProblem('a\nb')).toMatch(/control/)
  })
  it('refuses invalid UTF-8 (U+FFFD from the CoAP layer, lone surrogates) and empty names', () => {
    expect(endpointNameProblem('dev\uFFFD')).toMatch(/UTF-8/)
    expect(endpointNameProblem('dev\uD800')).toMatch(/surrogate/)
    expect(endpointNameProblem('\uDC00dev')).toMatch(/surrogate/)
    expect(endpointNameProblem('')).toMatch(/empty/)
  })
})
