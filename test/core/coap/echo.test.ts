// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest'
import { Method, Option, Response } from '../../../src-main/core/coap/message'
import { FakeScheduler } from './helpers/fake-scheduler'
import { CLIENT, node, SERVER } from './helpers/fixture'
import { LossyNetwork, scriptedServer } from './helpers/lossy-network'
import { opt } from './helpers/options'

describe('RFC 9175 §2 Echo', () => {
  it('§2.3 a 4.01 with Echo is answered by the same request carrying that Echo value', async () => {
    const scheduler = new FakeScheduler()
    const net = new LossyNetwork(scheduler)
    const c = node(net, scheduler)
    const raw = scriptedServer(net, SERVER, (req) =>
      req.options.some((o) => o.number === Option.ECHO)
        ? { code: Response.CHANGED }
        : { code: Response.UNAUTHORIZED, options: [opt(Option.ECHO, [1, 2, 3])] }
    )
    const r = await scheduler.run(c.endpoint.request(SERVER, { code: Method.POST, options: [opt(Option.URI_PATH, [0x78])], payload: Uint8Array.of(1) }))
    expect(r.code).toBe(Response.CHANGED)
    expect(raw.received).toHaveLength(2)
    expect(raw.received[1]!.options).toEqual([opt(Option.URI_PATH, [0x78]), opt(Option.ECHO, [1, 2, 3])])
    expect(raw.received[1]!.payload).toEqual(Uint8Array.of(1))
  })

  it('§2.3 a second 4.01 with the same Echo is returned, not retried forever', async () => {
    const scheduler = new FakeScheduler()
    const net = new LossyNetwork(scheduler)
    const c = node(net, scheduler)
    const raw = scriptedServer(net, SERVER, () => ({ code: Response.UNAUTHORIZED, options: [opt(Option.ECHO, [9])] }))
    const r = await scheduler.run(c.endpoint.request(SERVER, { code: Method.GET, options: [] }))
    expect(r.code).toBe(Response.UNAUTHORIZED)
    expect(raw.received).toHaveLength(2)
    expect(net.sentBy(CLIENT).filter((m) => m.type === 'CON')).toHaveLength(2)
  })
})
