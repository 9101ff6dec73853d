// SPDX-License-Identifier: Apache-2.0
// The serial service's console and events on a real pty pair; hot-plug on @serialport/binding-mock
// (ptys never appear in the system's port list: the one boundary where this suite uses a mock).
import { createRequire } from 'node:module'
import { afterEach, describe, expect, it } from 'vitest'
import type { EventName, EventPayloads } from '../../../src-main/contract/events'
import { EventHub } from '../../../src-main/services/event-hub'
import { SerialService, uartUri } from '../../../src-main/services/serial-service'
import { SerialLink, type BindingInterface } from '../../../src-main/transports/serial'
import { coapCodec } from '../../../src-main/core/coap/codec'
import { CoapEndpoint } from '../../../src-main/core/coap/endpoint'
import { Method, Option, Response } from '../../../src-main/core/coap/message'
import { RoutedDeviceLink } from '../../../src-main/core/lwm2m/server/routed-device-link'
import type { AttachedRoles, RoleHandle } from '../../../src-main/services/role-attachment'
import { nodeRandom, nodeScheduler } from '../../../src-main/transports/node-runtime'
import { ptyPair, type PtyPair } from '../../helpers/pty-pair'
import { until } from '../../helpers/simulator'

interface MockBindingApi extends BindingInterface {
  createPort(path: string, opts?: { vendorId?: string; productId?: string }): void
  reset(): void
}
const { MockBinding } = createRequire(import.meta.url)('@serialport/binding-mock') as { MockBinding: MockBindingApi }

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

function service(binding?: BindingInterface, roles: () => AttachedRoles = () => ({})): { svc: SerialService; events: [EventName, unknown][] } {
  const hub = new EventHub()
  const events: [EventName, unknown][] = []
  hub.subscribe((n, p) => events.push([n, p]))
  const svc = new SerialService({ events: hub, roles, pollMs: 50, ...(binding ? { binding } : {}) })
  cleanups.push(() => svc.closeAll())
  return { svc, events }
}

async function pair(): Promise<PtyPair> {
  const p = await ptyPair()
  cleanups.push(() => p.stop())
  return p
}

describe('serial service', () => {
  it('names the line coap+uart://<device name> (slipmux draft §5)', () => {
    expect(uartUri('/dev/ttyUSB0')).toBe('coap+uart://ttyUSB0')
    expect(uartUri('COM3')).toBe('coap+uart://COM3')
  })

  it('raw console: lines, a prompt without a line end, host lines marked as ours; serial.data comes batched', async () => {
    const p = await pair()
    const { svc, events } = service()
    await svc.open({ path: p.a, baudRate: 115200, framing: 'raw' })
    const far = await SerialLink.open({ path: p.b, framing: 'raw', baudRate: 115200 })
    cleanups.push(() => far.close())
    await svc.write({ path: p.a, text: 'lwm2m start\n' })
    for (const chunk of ['boot', 'ed\r\nlin', 'e two\n', 'uart:~$ ']) await far.writeText(chunk)
    const page = await until('the prompt', () => {
      const c = svc.console({ path: p.a })
      return c.lines.some((l) => l.text === 'uart:~$ ') ? c : undefined
    })
    expect(page.lines.map((l) => [l.source, l.text])).toEqual([
      ['host', 'lwm2m start'],
      ['device', 'booted'],
      ['device', 'line two'],
      ['device', 'uart:~$ ']
    ])
    const batches = (): EventPayloads['serial.data'][] => events.filter(([n]) => n === 'serial.data').map(([, d]) => d as EventPayloads['serial.data'])
    await until('the last batch', () => (batches().some((d) => d.lines.some((l) => l.text === 'uart:~$ ')) ? true : undefined))
    const data = batches()
    expect(data.length).toBeLessThan(4 + 1)
    expect(data.flatMap((d) => d.lines.map((l) => l.text))).toEqual(page.lines.map((l) => l.text))
    // A window from a cursor.
    expect(svc.console({ path: p.a, cursor: 2, limit: 1 })).toMatchObject({ lines: [{ seq: 2, text: 'line two' }], next: 3 })
  })

  it('a closed line says so: serial.closed with the reason, its console still readable, writes refused', async () => {
    const p = await pair()
    const { svc, events } = service()
    await svc.open({ path: p.a, baudRate: 115200, framing: 'slipmux' })
    await expect(svc.open({ path: p.a, baudRate: 9600, framing: 'raw' })).rejects.toThrow(/open already/)
    await svc.close(p.a)
    expect(events).toContainEqual(['serial.closed', { path: p.a, reason: 'closed by the user' }])
    expect(svc.console({ path: p.a }).open).toBe(false)
    await expect(svc.write({ path: p.a, text: 'x' })).rejects.toThrow(/not open/)
  })

  it('hot-plug: serial.portsChanged when a port appears and goes away (polled)', async () => {
    const { svc, events } = service(MockBinding)
    cleanups.push(async () => MockBinding.reset())
    expect((await svc.ports()).ports).toEqual([])
    MockBinding.createPort('/dev/ttyACM3', { vendorId: '2fe3', productId: '0001' })
    await until('the new port', () => events.find(([n, p]) => n === 'serial.portsChanged' && (p as EventPayloads['serial.portsChanged']).ports.length === 1))
    MockBinding.reset()
    await until('the port gone', () => events.find(([n, p]) => n === 'serial.portsChanged' && (p as EventPayloads['serial.portsChanged']).ports.length === 0))
  })
})

describe('roles follow the open line (issue 17 item 3)', () => {
  const enc = new TextEncoder()
  /** A Server role as the line sees it: its uplink answers and its routed links (one per role instance). */
  const role = (links: RoutedDeviceLink, name: string): RoleHandle => ({ links, handle: () => ({ code: Response.CHANGED, payload: enc.encode(name) }) })

  it('roles that start, stop and restart while the line stays open: uplink and downlink follow without reopening it', async () => {
    const p = await pair()
    const links = new RoutedDeviceLink()
    let server: RoleHandle | null = null
    const { svc } = service(undefined, () => ({ server, bootstrap: null }))
    const opened = await svc.open({ path: p.a, baudRate: 115200, framing: 'slipmux' })
    expect(opened.roles).toEqual([])
    // The device on the far end: sends uplink requests, answers downlink ones.
    const farLink = await SerialLink.open({ path: p.b, framing: 'slipmux', baudRate: 115200 })
    const far = new CoapEndpoint({ link: farLink, codec: coapCodec, scheduler: nodeScheduler, random: nodeRandom })
    cleanups.push(async () => {
      far.close()
      await farLink.close()
    })
    far.onRequest(() => ({ code: Response.CONTENT, payload: enc.encode('device') }))
    const uplink = async (): Promise<string> => {
      const r = await far.request(farLink.peer, { code: Method.POST, options: [{ number: Option.URI_PATH, value: enc.encode('rd') }] })
      return `${r.code >> 5}.${String(r.code & 31).padStart(2, '0')} ${new TextDecoder().decode(r.payload)}`.trim()
    }
    const downlink = (): Promise<string> =>
      links.send({ key: `serial:${p.a}`, display: p.a }, { method: 'GET', path: ['3', '0', '0'] }).then(
        (r) => `${r.code >> 5}.${String(r.code & 31).padStart(2, '0')}`,
        (e: Error) => e.message
      )

    expect(await uplink()).toBe('4.04')
    server = role(links, 'first')
    svc.rolesChanged()
    expect((await svc.ports()).open[0]?.roles).toEqual(['server'])
    expect(await uplink()).toBe('2.04 first')
    expect(await downlink()).toBe('2.05')

    // Stopped: the line answers 4.04 and the role no longer reaches it.
    server = null
    svc.rolesChanged()
    expect((await svc.ports()).open[0]?.roles).toEqual([])
    expect(await uplink()).toBe('4.04')
    expect(await downlink()).toMatch(/no open link reaches/)

    // Restarted as a new instance, and nobody said so: the first uplink request finds it.
    server = role(links, 'second')
    expect(await uplink()).toBe('2.04 second')
    expect(await downlink()).toBe('2.05')
    expect((await svc.ports()).open[0]?.roles).toEqual(['server'])

    // Closing the line takes it out of the role's links.
    await svc.close(p.a)
    expect(await downlink()).toMatch(/no open link reaches/)
  })
})
