import { join } from 'node:path'
import { loadModelLibrary } from '../../src-main/services/model-library'
import { coapCodec } from '../../src-main/core/coap/codec'
import { CoapEndpoint } from '../../src-main/core/coap/endpoint'
import { nodeRandom, nodeScheduler } from '../../src-main/transports/node-runtime'
import { UdpLink } from '../../src-main/transports/udp'
import { Lwm2mClient } from '../../src-main/core/lwm2m/client/lwm2m-client'
import { planDevice } from '../../src-main/core/lwm2m/client/device-plan'
const gc = (globalThis as { gc?: () => void }).gc as () => void
const mem = () => { gc(); gc(); const m = process.memoryUsage(); return { heap: m.heapUsed, rss: m.rss } }
const library = await loadModelLibrary({ shippedFile: join(process.cwd(), 'resources', 'models', 'models.json') })
const n = 5000
let m0 = mem()
const links: UdpLink[] = []
for (let i = 0; i < n; i++) links.push(await UdpLink.open({ host: '127.0.0.1', port: 0 }))
let m1 = mem(); console.log('UdpLink     heap KB/dev', ((m1.heap - m0.heap) / n / 1024).toFixed(2), 'rss', ((m1.rss - m0.rss) / n / 1024).toFixed(2))
const eps: CoapEndpoint[] = []
m0 = mem()
for (let i = 0; i < n; i++) eps.push(new CoapEndpoint({ link: links[i]!, codec: coapCodec, scheduler: nodeScheduler, random: nodeRandom }))
m1 = mem(); console.log('CoapEndpoint heap KB/dev', ((m1.heap - m0.heap) / n / 1024).toFixed(2), 'rss', ((m1.rss - m0.rss) / n / 1024).toFixed(2))
for (const e of eps) e.close()
const clients: Lwm2mClient[] = []
m0 = mem()
for (let i = 0; i < n; i++) {
  const plan = planDevice({ profile: { name: 'b', objects: [] }, endpoint: `e${i}`, server: 'coap://127.0.0.1:9', lifetime: 300, queue: false, models: library.registry, epochAtStart: 0 })
  clients.push(new Lwm2mClient({ endpoint: `e${i}`, link: links[i]!, codec: coapCodec, scheduler: nodeScheduler, random: nodeRandom, wallClock: () => 0, models: library.registry, peerFor: () => null, version: '1.2', preferredFormat: 112, queue: null, objects: plan.objects, factory: plan.factory, sensors: plan.sensors }))
}
m1 = mem(); console.log('Client(full) heap KB/dev', ((m1.heap - m0.heap) / n / 1024).toFixed(2), 'rss', ((m1.rss - m0.rss) / n / 1024).toFixed(2))
process.exit(0)
