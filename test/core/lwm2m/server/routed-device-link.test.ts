// SPDX-License-Identifier: Apache-2.0
// One role over several transports: a downlink goes back over the transport its peer came in on.
import { describe, expect, it } from 'vitest'
import { RoutedDeviceLink, transportOf } from '../../../../src-main/core/lwm2m/server/routed-device-link'
import type { DeviceLink, DownlinkRequest } from '../../../../src-main/core/lwm2m/server/messages'

function recording(name: string, seen: string[]): DeviceLink {
  return {
    send: async (peer) => {
      seen.push(`${name}:${peer.key}`)
      return { code: 69, contentFormat: null, payload: new Uint8Array(0), observe: null, locationPath: [] }
    },
    observe: async () => {
      throw new Error('not used')
    }
  }
}

const req: DownlinkRequest = { method: 'GET', path: ['3', '0'] }

describe('RoutedDeviceLink', () => {
  it('takes the transport from the peer key', () => {
    expect(transportOf({ key: 'udp:[::1]:5683', display: '' })).toBe('udp')
    expect(transportOf({ key: 'serial:/dev/ttyUSB0', display: '' })).toBe('serial')
    expect(transportOf({ key: 'nokey', display: '' })).toBe('')
  })

  it('sends each request over the link of its peer transport', async () => {
    const seen: string[] = []
    const links = new RoutedDeviceLink()
    links.add('udp', recording('U', seen))
    links.add('dtls', recording('D', seen))
    await links.send({ key: 'dtls:abc', display: 'x' }, req)
    await links.send({ key: 'udp:1.2.3.4:5', display: 'y' }, req)
    expect(seen).toEqual(['D:dtls:abc', 'U:udp:1.2.3.4:5'])
  })

  it('a link added for one peer key (one serial line each) reaches that peer only, before its transport', async () => {
    const seen: string[] = []
    const links = new RoutedDeviceLink()
    const removeA = links.add('serial:/dev/ttyA', recording('A', seen))
    links.add('serial:/dev/ttyB', recording('B', seen))
    await links.send({ key: 'serial:/dev/ttyB', display: '' }, req)
    await links.send({ key: 'serial:/dev/ttyA', display: '' }, req)
    removeA()
    await expect(links.send({ key: 'serial:/dev/ttyA', display: '' }, req)).rejects.toThrow(/no open link/)
    expect(seen).toEqual(['B:serial:/dev/ttyB', 'A:serial:/dev/ttyA'])
  })

  it('rejects (does not throw) when the transport is closed, and a removed link stays removed', async () => {
    const links = new RoutedDeviceLink()
    const remove = links.add('serial', recording('S', []))
    remove()
    expect(links.has('serial')).toBe(false)
    await expect(links.send({ key: 'serial:/dev/x', display: '/dev/x' }, req)).rejects.toThrow(/no open link reaches \/dev\/x/)
  })
})
