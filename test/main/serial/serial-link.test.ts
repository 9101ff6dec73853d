// SPDX-License-Identifier: Apache-2.0
// The serial transport on real pty pairs (socat), and, for modem control and the port list that
// ptys cannot offer, on @serialport/binding-mock: ptys refuse DTR/RTS ioctls and never appear in
// the system's port list, so that boundary is the one place this suite uses a mock.
import { closeSync, openSync, read as readCb, write as writeCb } from 'node:fs'
import { promisify } from 'node:util'
import { createRequire } from 'node:module'
import { afterEach, describe, expect, it } from 'vitest'
import { encodeCoapFrame } from '../../../src-main/core/serial/slipmux'
import type { CaptureFrame } from '../../../src-main/transports/capture-tap'
import { PortWatcher, SerialLink, listSerialPorts, type BindingInterface, type SerialPortDescription } from '../../../src-main/transports/serial'
import { probeSerial } from '../../../src-main/services/capabilities'
import { ptyPair, type PtyPair } from '../../helpers/pty-pair'

/** What the tests use of @serialport/binding-mock (its typings do not resolve under our module settings). */
interface MockBindingApi extends BindingInterface {
  createPort(path: string, opts?: { vendorId?: string; productId?: string; manufacturer?: string }): void
  reset(): void
}
const { MockBinding } = createRequire(import.meta.url)('@serialport/binding-mock') as { MockBinding: MockBindingApi }

const pairs: PtyPair[] = []
const links: SerialLink[] = []
afterEach(async () => {
  await Promise.all(links.splice(0).map((l) => l.close()))
  await Promise.all(pairs.splice(0).map((p) => p.stop()))
})

async function pair(): Promise<PtyPair> {
  const p = await ptyPair()
  pairs.push(p)
  return p
}

async function open(path: string, framing: 'slipmux' | 'raw', extra: Partial<Parameters<typeof SerialLink.open>[0]> = {}): Promise<SerialLink> {
  const l = await SerialLink.open({ path, framing, baudRate: 115200, ...extra })
  links.push(l)
  return l
}

function waitFor<T>(get: () => T | undefined, ms = 3000): Promise<T> {
  return new Promise((resolve, reject) => {
    const start = Date.now()
    const tick = (): void => {
      const v = get()
      if (v !== undefined) resolve(v)
      else if (Date.now() - start > ms) reject(new Error('timed out'))
      else setTimeout(tick, 10)
    }
    tick()
  })
}

const read = promisify(readCb)
const write = (fd: number, b: Buffer): Promise<unknown> => promisify(writeCb)(fd, b)
const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'))

describe('capabilities', () => {
  it('system.info says serial is available when the native binding loads (it does on this machine)', () => {
    expect(probeSerial()).toMatchObject({ available: true })
  })
})

describe('serial link on a pty pair (slipmux, coap-facts §9)', () => {
  it('carries CoAP messages both ways, keyed serial:<path>, and reports each to the capture tap', async () => {
    const p = await pair()
    const frames: CaptureFrame[] = []
    const host = await open(p.a, 'slipmux', { tap: (f) => frames.push(f) })
    const device = await open(p.b, 'slipmux')
    const atHost: Uint8Array[] = []
    const atDevice: Uint8Array[] = []
    host.onReceive((peer, d) => {
      expect(peer).toEqual({ key: `serial:${p.a}`, display: p.a })
      atHost.push(d)
    })
    device.onReceive((_peer, d) => atDevice.push(d))
    // 0xC0 and 0xDB inside the message must survive the SLIP escaping.
    const ping = hex('40 00 c0 db')
    device.send(device.peer, ping)
    await waitFor(() => atHost[0])
    expect(atHost[0]).toEqual(ping)
    host.send(host.peer, hex('70 00 c0 db'))
    await waitFor(() => atDevice[0])
    expect(atDevice[0]).toEqual(hex('7000c0db'))
    expect(frames.map((f) => [f.direction, f.transport, f.peer.key, Buffer.from(f.bytes).toString('hex')])).toEqual([
      ['in', 'serial', `serial:${p.a}`, '4000c0db'],
      ['out', 'serial', `serial:${p.a}`, '7000c0db']
    ])
  })

  it('§4: diagnostic frames go to the console, not to the CoAP receiver', async () => {
    const p = await pair()
    let text = ''
    const host = await open(p.a, 'slipmux', { onConsole: (t) => (text += t) })
    let coap = 0
    host.onReceive(() => coap++)
    const device = await open(p.b, 'slipmux')
    await device.writeText('booting\n')
    await device.writeText('ready\n')
    await waitFor(() => (text === 'booting\nready\n' ? true : undefined))
    expect(coap).toBe(0)
    expect(host.counters.diagnostic).toBe(2)
  })

  it('§5, §6: garbage, a bad FCS and an aborted frame are counted and the link keeps running', async () => {
    const p = await pair()
    const host = await open(p.a, 'slipmux')
    const got: Uint8Array[] = []
    host.onReceive((_p, d) => got.push(d))
    const device = await open(p.b, 'raw')
    await device.writeBytes(hex('c0 a9 40 00 12 34 e6 b4 c0')) // bad FCS
    await device.writeBytes(hex('c0 0a 41 db c0')) // aborted
    await device.writeBytes(Uint8Array.from({ length: 300 }, (_, i) => (i * 37) & 0xff))
    await device.writeBytes(encodeCoapFrame(hex('40001234')))
    await waitFor(() => got[0])
    expect(got).toEqual([hex('40001234')])
    expect(host.counters.badFcs).toBe(1)
    expect(host.counters.aborted).toBeGreaterThanOrEqual(1)
    expect(host.isOpen).toBe(true)
  })

  it('raw framing hands everything to the console as text', async () => {
    const p = await pair()
    let text = ''
    await open(p.a, 'raw', { onConsole: (t) => (text += t) })
    const device = await open(p.b, 'raw')
    await device.writeText('uart:~$ lwm2m\r\n')
    await waitFor(() => (text === 'uart:~$ lwm2m\r\n' ? true : undefined))
  })

  it('the other end going away ends the link with a plain reason', async () => {
    const p = await pair()
    let reason: string | null = null
    const host = await open(p.a, 'slipmux', { onClose: (r) => (reason = r) })
    await p.stop()
    expect(await host.ended).toMatch(/went away/)
    expect(reason).toMatch(/went away/)
    expect(host.isOpen).toBe(false)
  })

  it('close() ends the link with the reason given, once', async () => {
    const p = await pair()
    const reasons: string[] = []
    const host = await open(p.a, 'slipmux', { onClose: (r) => reasons.push(r) })
    await host.close('closed by the user')
    await host.close('again')
    expect(reasons).toEqual(['closed by the user'])
  })

  it('a pty refuses DTR/RTS: control() rejects with the system error and the link stays open', async () => {
    const p = await pair()
    const host = await open(p.a, 'slipmux')
    await expect(host.control({ dtr: true })).rejects.toThrow(/ioctl|cannot set/i)
    expect(host.isOpen).toBe(true)
  })

  it('on Linux reads and writes go straight to the descriptor, not through a thread-pool call per message', async () => {
    const p = await pair()
    expect((await open(p.a, 'slipmux')).directIo).toBe(true)
  })

  it('a write larger than the line takes at once goes out whole and in order, the rest waiting for the port; the caller may reuse its bytes', async () => {
    const p = await pair()
    // The far end opened as a plain file and not read yet (opening a port flushes its input):
    // socat fills it, then our side's output buffer fills (EAGAIN).
    const far = openSync(p.b, 'r+')
    const host = await open(p.a, 'raw')
    const big = Uint8Array.from({ length: 256 * 1024 }, (_, i) => (i * 7) & 0xff)
    const sent = Uint8Array.from(big)
    const first = host.writeBytes(big)
    big.fill(0)
    const second = host.writeBytes(Uint8Array.of(1, 2, 3))
    const want = sent.length + 3
    const got = Buffer.alloc(want)
    let n = 0
    try {
      while (n < want) n += (await read(far, got, n, want - n, null)).bytesRead
    } finally {
      closeSync(far)
    }
    await Promise.all([first, second])
    expect(got).toEqual(Buffer.concat([sent, Uint8Array.of(1, 2, 3)]))
  })

  it('a write waiting for the port to take more still completes while the device keeps sending', async () => {
    const p = await pair()
    const far = openSync(p.b, 'r+')
    let heard = 0
    const host = await open(p.a, 'raw', { onBytes: (c) => void (heard += c.length) })
    const big = Uint8Array.from({ length: 256 * 1024 }, (_, i) => (i * 7) & 0xff)
    const written = host.writeBytes(big)
    const got = Buffer.alloc(big.length)
    let n = 0
    try {
      // The device talks while it reads: every read of ours re-arms the poller.
      while (n < big.length) {
        await write(far, Buffer.from('log line\n'))
        n += (await read(far, got, n, Math.min(4096, big.length - n), null)).bytesRead
      }
      await written
    } finally {
      closeSync(far)
    }
    expect(got).toEqual(Buffer.from(big))
    expect(heard).toBeGreaterThan(0)
  }, 20_000)

  it('opening a path that does not exist rejects', async () => {
    await expect(SerialLink.open({ path: '/dev/does-not-exist-serial', framing: 'raw', baudRate: 9600 })).rejects.toThrow()
  })
})

describe('modem control and port list (mock binding: ptys have neither)', () => {
  afterEach(() => MockBinding.reset())

  it('control() sets DTR and RTS on the port', async () => {
    MockBinding.createPort('/dev/ttyMOCK0')
    const sets: unknown[] = []
    const binding: BindingInterface = {
      list: () => MockBinding.list(),
      async open(o) {
        const port = await MockBinding.open(o)
        const set = port.set.bind(port)
        port.set = async (s: { dtr?: boolean; rts?: boolean }) => {
          sets.push(s)
          await set(s)
        }
        return port
      }
    }
    const link = await open('/dev/ttyMOCK0', 'slipmux', { binding })
    // The mock has no descriptor: reads and writes go through the binding, as on Windows.
    expect(link.directIo).toBe(false)
    await link.control({ dtr: false })
    await link.control({ dtr: true, rts: false })
    expect(sets).toEqual([{ dtr: false }, { dtr: true, rts: false }])
  })

  it('lists ports with path, vendor/product id, manufacturer and serial number', async () => {
    MockBinding.createPort('/dev/ttyACM0', { vendorId: '2fe3', productId: '0100', manufacturer: 'ZEPHYR' })
    const [port] = await listSerialPorts(MockBinding)
    expect(port).toMatchObject({ path: '/dev/ttyACM0', vendorId: '2fe3', productId: '0100', manufacturer: 'ZEPHYR' })
    expect(port?.serialNumber).toMatch(/^\d+$/)
  })

  it('PortWatcher reports a port that appears and one that goes away (hot-plug by polling)', async () => {
    const seen: SerialPortDescription[][] = []
    const w = new PortWatcher((ports) => seen.push(ports), MockBinding, 1000)
    await w.poll()
    MockBinding.createPort('/dev/ttyUSB0')
    await w.poll()
    await w.poll()
    MockBinding.reset()
    await w.poll()
    expect(seen.map((ports) => ports.map((x) => x.path))).toEqual([['/dev/ttyUSB0'], []])
  })
})
