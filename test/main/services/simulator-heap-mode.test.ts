// Issue 14 (memory goal): `lwm2m-wb simulate` runs V8 in memory saver mode once its fleet has
// started — never while devices are still bootstrapping or registering — with one full GC as the
// mode is switched on (services/simulator-heap-mode.ts). Real fleet, real server, real sockets;
// only V8's flag setter and gc() are recorded instead of called, so this test process keeps its heap.
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { coapCodec } from '../../../src-main/core/coap/codec'
import { CoapEndpoint } from '../../../src-main/core/coap/endpoint'
import { coapDeviceLink, serveUplink } from '../../../src-main/core/lwm2m/server/coap-binding'
import { Lwm2mServer } from '../../../src-main/core/lwm2m/server/lwm2m-server'
import { loadModelLibrary } from '../../../src-main/services/model-library'
import { SimulatedFleet } from '../../../src-main/services/simulated-fleet'
import { SimulatorHeapMode, type HeapControls } from '../../../src-main/services/simulator-heap-mode'
import { nodeRandom, nodeScheduler } from '../../../src-main/transports/node-runtime'
import { UdpLink } from '../../../src-main/transports/udp'

function recorder(): HeapControls & { readonly calls: string[] } {
  const calls: string[] = []
  return { calls, setFlags: (f) => void calls.push(f), collect: () => void calls.push('gc') }
}

describe('SimulatorHeapMode', () => {
  it('switches memory saver mode on (with one full GC) when nothing starts up, off when a fleet starts', () => {
    const c = recorder()
    const mode = new SimulatorHeapMode(c)
    mode.update(true)
    expect(c.calls).toEqual([])
    mode.update(false)
    mode.update(false)
    expect(c.calls).toEqual(['--memory-saver-mode', 'gc'])
    expect(mode.memorySaver).toBe(true)
    mode.update(true)
    expect(c.calls).toEqual(['--memory-saver-mode', 'gc', '--no-memory-saver-mode'])
    expect(mode.memorySaver).toBe(false)
  })
})

describe('SimulatedFleet.startingUp with the heap mode wired as simulate does', () => {
  let link: UdpLink
  let endpoint: CoapEndpoint
  let serverUri: string
  let models: Awaited<ReturnType<typeof loadModelLibrary>>['registry']
  beforeAll(async () => {
    models = (await loadModelLibrary({ shippedFile: join(process.cwd(), 'resources', 'models', 'models.json') })).registry
    link = await UdpLink.open({ host: '127.0.0.1', port: 0 })
    endpoint = new CoapEndpoint({ link, codec: coapCodec, scheduler: nodeScheduler, random: nodeRandom })
    const server = new Lwm2mServer({ link: coapDeviceLink(endpoint), scheduler: nodeScheduler, random: nodeRandom, models })
    serveUplink(endpoint, (req) => server.handle(req))
    serverUri = `coap://127.0.0.1:${link.port}`
  })
  afterAll(async () => {
    endpoint.close()
    await link.close()
  })

  it('is true until every device has registered, and the saver mode comes only then', async () => {
    const N = 300 // more than the 128 devices a fleet starts at once
    const c = recorder()
    const mode = new SimulatorHeapMode(c)
    let registered = 0
    let modeWhileRegistering: boolean | null = null
    let done: () => void = () => undefined
    const all = new Promise<void>((r) => (done = r))
    const fleet = await SimulatedFleet.start('t', {
      profile: { name: 't', lwm2mVersion: '1.2', objects: [] },
      endpoints: Array.from({ length: N }, (_, i) => `heap-${i}`),
      server: serverUri, version: '1.2', format: 112, lifetime: 3600, queue: null
    }, models, (f, _ep, e) => {
      mode.update(f.startingUp)
      if (e.type !== 'state' || e.state !== 'registered') return
      if (++registered === N - 1) modeWhileRegistering = mode.memorySaver
      if (registered === N) done()
    })
    try {
      expect(fleet.startingUp).toBe(true)
      await all
      expect(modeWhileRegistering).toBe(false)
      expect(fleet.startingUp).toBe(false)
      expect(mode.memorySaver).toBe(true)
      expect(c.calls).toEqual(['--memory-saver-mode', 'gc'])
    } finally {
      await fleet.stop(false)
    }
  }, 30_000)
})
