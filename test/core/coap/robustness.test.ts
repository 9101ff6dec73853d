// SPDX-License-Identifier: Apache-2.0
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CoapTimeoutError } from '../../../src-main/core/coap/errors'
import { Method, Response, type CoapMessage } from '../../../src-main/core/coap/message'
import { FakeScheduler } from './helpers/fake-scheduler'
import { jsonCodec } from './helpers/json-codec'
import { CLIENT, node, pair, SERVER, str, text } from './helpers/fixture'
import { LossyNetwork, RawPeer, type Fate } from './helpers/lossy-network'

const fateArb: fc.Arbitrary<Fate> = fc.oneof(
  { weight: 6, arbitrary: fc.constant('deliver' as const) },
  { weight: 2, arbitrary: fc.constant('drop' as const) },
  { weight: 1, arbitrary: fc.constant('duplicate' as const) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 5000 }).map((delayMs) => ({ delayMs })) }
)

describe('RFC 7252 §4 under arbitrary loss, duplication and reordering', () => {
  it('§4.2/§4.5 every request is answered correctly or times out, and each POST is handled at most once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fateArb, { minLength: 1, maxLength: 60 }),
        fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        async (fates, delays, confirmable) => {
          const { scheduler, net, client, server } = pair()
          net.policy = (d) => fates[d.index % fates.length]!
          const calls = new Map<string, number>()
          server.endpoint.onRequest((req) => {
            const id = str(req.payload)
            calls.set(id, (calls.get(id) ?? 0) + 1)
            const delay = delays[Number(id) % delays.length]!
            const response = { code: Response.CHANGED, payload: text(`re ${id}`) }
            return delay === 0 ? response : new Promise((resolve) => scheduler.schedule(delay, () => resolve(response)))
          })
          const outcomes = await scheduler.run(
            Promise.all(
              delays.map((_, i) =>
                client.endpoint
                  .request(SERVER, { code: Method.POST, options: [], payload: text(String(i)), confirmable }, { timeoutMs: 120_000 })
                  .then((r) => ({ ok: str(r.payload) }), (e: unknown) => ({ error: e }))
              )
            )
          )
          outcomes.forEach((o, i) => {
            if ('ok' in o) {
              expect(o.ok).toBe(`re ${i}`)
              expect(calls.get(String(i))).toBe(1)
            } else {
              expect(o.error).toBeInstanceOf(CoapTimeoutError)
            }
          })
          // §4.5: at most once, whatever the network did (CON within EXCHANGE_LIFETIME, NON within NON_LIFETIME).
          for (const n of calls.values()) expect(n).toBe(1)
          client.endpoint.close()
          server.endpoint.close()
          // close() leaves no endpoint timer behind; only datagrams still on the wire remain.
          expect(scheduler.pending).toBe(net.inFlight)
        }
      ),
      { numRuns: 150 }
    )
  })
})

const anyMessage: fc.Arbitrary<CoapMessage> = fc.record({
  type: fc.constantFrom('CON' as const, 'NON' as const, 'ACK' as const, 'RST' as const),
  code: fc.integer({ min: 0, max: 255 }),
  messageId: fc.integer({ min: 0, max: 0xffff }),
  token: fc.uint8Array({ maxLength: 8 }),
  options: fc.array(fc.record({ number: fc.constantFrom(1, 4, 6, 11, 12, 23, 27, 28, 60, 252, 292, 9999), value: fc.uint8Array({ maxLength: 6 }) }), { maxLength: 5 }),
  payload: fc.uint8Array({ maxLength: 40 })
})

describe('DESIGN.md: a bad datagram is data, never a crash or a stall', () => {
  it('§4.2/§4.3 arbitrary messages and bytes never throw, and the endpoint keeps serving', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(anyMessage.map((m) => jsonCodec.encode(m)), fc.uint8Array({ maxLength: 30 })), { maxLength: 30 }),
        async (datagrams) => {
          const scheduler = new FakeScheduler()
          const net = new LossyNetwork(scheduler)
          const s = node(net, scheduler, SERVER)
          s.endpoint.onRequest((req) => ({ code: Response.CONTENT, payload: req.payload }))
          const raw = new RawPeer(net, CLIENT)
          for (const d of datagrams) raw.sendBytes(SERVER, d)
          await scheduler.advance(300_000)
          expect(s.events.filter((e) => e.type === 'internal-error')).toEqual([])
          // §4.2: an ACK or RST is never answered with an ACK or RST. (MIDs that some CON or NON
          // of the batch also used are left out: those may be answered legitimately.)
          const decoded = datagrams.map((d) => jsonCodec.decode(d).message).filter((m) => m !== null)
          const usedByConNon = new Set(decoded.filter((m) => m.type === 'CON' || m.type === 'NON').map((m) => m.messageId))
          const answered = new Set(raw.received.filter((m) => m.type === 'ACK' || m.type === 'RST').map((m) => m.messageId))
          for (const m of decoded) {
            if ((m.type === 'ACK' || m.type === 'RST') && !usedByConNon.has(m.messageId)) {
              expect(answered.has(m.messageId)).toBe(false)
            }
          }
          const client = node(net, scheduler, CLIENT, 5)
          const r = await scheduler.run(client.endpoint.request(SERVER, { code: Method.GET, options: [], payload: text('still here') }))
          expect(str(r.payload)).toBe('still here')
        }
      ),
      { numRuns: 150 }
    )
  })
})
