// SPDX-License-Identifier: Apache-2.0
// capture.list on a slow filter: text~ decodes every frame, so matching runs within a time budget
// per call and goes on where it stopped; the main process never stalls on a big capture.
import { describe, expect, it } from 'vitest'
import { CaptureService } from '../../../src-main/services/capture-service'
import { EventHub } from '../../../src-main/services/event-hub'
import { coap, c, GET } from '../../core/inspect/inspect-fixtures'

describe('capture.list with a slow filter', () => {
  it('answers in steps with matched: null until it has been through the capture, then the full count', () => {
    const cap = new CaptureService({ events: new EventHub(), models: () => ({ get: () => undefined }) })
    for (let k = 0; k < 5000; k++) {
      cap.add({ at: k * 10, direction: 'none', transport: 'udp', src: 'udp:10.0.0.1:5683', dst: 'udp:10.0.0.2:4000', bytes: coap(GET, { path: '/3/0/0', token: [k & 255, k >> 8], mid: k }) })
      cap.add({ at: k * 10 + 1, direction: 'none', transport: 'udp', src: 'udp:10.0.0.2:4000', dst: 'udp:10.0.0.1:5683', bytes: coap(c(2, 5), { token: [k & 255, k >> 8], mid: k, cf: 0, payload: k % 100 === 0 ? 'needle' : 'hay' }) })
    }
    const first = cap.matches('text~"NEEDLE"', 0)
    expect(first.complete).toBe(false)
    let m = first
    for (let i = 0; i < 100 && !m.complete; i++) m = cap.matches('text~"NEEDLE"', 0)
    expect(m.complete).toBe(true)
    expect(m.count).toBe(50)
    // A quick filter completes at once within the list's budget.
    expect(cap.list({ filter: 'code=2.05', limit: 10 })).toMatchObject({ matched: 5000, next: 10 })
  })
})
