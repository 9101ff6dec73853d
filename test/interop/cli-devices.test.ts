// Issue 4 "Done when": a device on a CoAP stack no one here wrote (node-coap) registers with
// `lwm2m-wb serve` and is read, written and observed through `lwm2m-wb call devices.*`; a
// bootstrap configuration put with `lwm2m-wb call` is delivered to it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runCliAsync, serve, type Served } from '../helpers/cli'
import { NodeCoapDevice } from '../helpers/coap-device'
import { tempDir } from '../helpers/temp-dir'

let data: ReturnType<typeof tempDir>
let served: Served
let device: NodeCoapDevice
let ports: Record<string, number> = {}
const call = async (method: string, params: unknown) => {
  const r = await runCliAsync(['call', method, JSON.stringify(params), '--data-dir', data.path])
  if (r.status !== 0) throw new Error(r.stderr)
  return JSON.parse(r.stdout)
}

beforeAll(async () => {
  data = tempDir()
  served = await serve(data.path)
  const info = await call('system.info', {})
  ports = Object.fromEntries(info.capabilities.listeners.map((l: { role: string; port: number; transport: string }) => [l.transport.startsWith('coaps') ? `${l.role} DTLS` : l.role, l.port]))
  device = await NodeCoapDevice.start()
})
afterAll(async () => {
  await device?.close()
  await served?.stop()
  data?.cleanup()
})

describe('lwm2m-wb call devices.* against a node-coap device', () => {
  it('registers, then Read, Write and Observe work from the command line', async () => {
    expect((await device.register(ports['LwM2M Server'] as number, 'cli-nc')).code).toBe('2.01')
    const list = await call('devices.list', {})
    expect(list.devices.map((d: { endpoint: string }) => d.endpoint)).toEqual(['cli-nc'])
    const read = await call('devices.read', { endpoint: 'cli-nc', path: '/3/0/0' })
    expect(read).toMatchObject({ code: '2.05', records: [{ path: '/3/0/0', type: 'string', value: 'Acme Devices' }] })
    const write = await call('devices.write', { endpoint: 'cli-nc', path: '/1/0/1', records: [{ path: '/1/0/1', type: 'integer', value: 1200 }] })
    expect(write.code).toBe('2.04')
    expect(device.values.get('/1/0/1')).toBe(1200)
    const obs = await call('devices.observe', { endpoint: 'cli-nc', path: '/3303/0/5700', attributes: 'pmin=1' })
    expect(obs.code).toBe('2.05')
    expect(typeof obs.observationId).toBe('string')
    expect((await call('devices.get', { endpoint: 'cli-nc' })).observations).toEqual([obs.observationId])
  })

  it('a configuration put with call @file is delivered by Bootstrap-Request', async () => {
    const file = join(data.path, 'cfg.json')
    writeFileSync(
      file,
      JSON.stringify({
        config: {
          endpoint: 'cli-nc',
          discoverFirst: false,
          deletePaths: ['/0'],
          security: [{ instanceId: 0, uri: `coap://127.0.0.1:${ports['LwM2M Server']}`, bootstrapServer: false, securityMode: 3, shortServerId: 7 }],
          servers: [{ instanceId: 0, shortServerId: 7, lifetime: 60, notificationStoring: false, binding: 'U' }],
          contentFormat: 'auto',
          allowPack: true
        }
      })
    )
    const put = await runCliAsync(['call', 'bootstrap.configs.put', '@' + file, '--data-dir', data.path])
    expect(put.status).toBe(0)
    expect((await device.request(ports['Bootstrap Server'] as number, 'POST', '/bs', 'ep=cli-nc')).code).toBe('2.04')
    let runs: { outcome: string }[] = []
    for (let i = 0; i < 50 && runs[0]?.outcome !== 'success'; i++) {
      await new Promise((r) => setTimeout(r, 100))
      runs = (await call('bootstrap.runs.list', { endpoint: 'cli-nc' })).runs
    }
    expect(runs[0]?.outcome).toBe('success')
  })
})
