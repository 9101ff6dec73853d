import { join } from 'node:path'
import { loadModelLibrary } from '../../src-main/services/model-library'
import { SimulatedFleet } from '../../src-main/services/simulated-fleet'
import { coapCodec } from '../../src-main/core/coap/codec'
import { CoapEndpoint } from '../../src-main/core/coap/endpoint'
import { coapDeviceLink, serveUplink } from '../../src-main/core/lwm2m/server/coap-binding'
import { Lwm2mServer } from '../../src-main/core/lwm2m/server/lwm2m-server'
import { nodeRandom, nodeScheduler } from '../../src-main/transports/node-runtime'
import { UdpLink } from '../../src-main/transports/udp'
const library = await loadModelLibrary({ shippedFile: join('/work/main', 'resources', 'models', 'models.json') })
const serverLink = await UdpLink.open({ host: '127.0.0.1', port: 0 })
const ep = new CoapEndpoint({ link: serverLink, codec: coapCodec, scheduler: nodeScheduler, random: nodeRandom })
const lwm2m = new Lwm2mServer({ link: coapDeviceLink(ep), scheduler: nodeScheduler, random: nodeRandom, models: library.registry })
serveUplink(ep, (req) => lwm2m.handle(req))
const n = 500
const t0 = performance.now()
const times: number[] = []
const fleet = await SimulatedFleet.start('p', { profile: { name: 'b', objects: [] }, endpoints: Array.from({ length: n }, (_, i) => `p-${i}`), server: `coap://127.0.0.1:${serverLink.port}`, version: '1.2', format: 112, lifetime: 3600, queue: null }, library.registry, (_f, _e, e) => { if (e.type === 'state' && e.state === 'registered') times.push(performance.now() - t0) })
console.log('sockets opened+started at', (performance.now() - t0).toFixed(0), 'ms')
await new Promise((r) => setTimeout(r, 6000))
times.sort((a, b) => a - b)
console.log('registered', times.length, 'p50', times[times.length >> 1]?.toFixed(0), 'p90', times[Math.floor(times.length * 0.9)]?.toFixed(0), 'max', times[times.length - 1]?.toFixed(0))
await fleet.stop(false); ep.close(); await serverLink.close()
