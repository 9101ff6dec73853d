// Issue 15 item 3: "own server" = a Security URI whose host is one of this machine's addresses, its
// hostname or loopback, and whose port is one of our DTLS listeners' (default coaps port 5684, T §6.8).
import { describe, expect, it } from 'vitest'
import { ownServerRole } from '../../../src-main/services/own-server'
import { dtlsListeners } from '../../../src-main/services/dtls-listeners'

const listeners = [
  { role: 'server' as const, address: '0.0.0.0', port: 5684 },
  { role: 'bootstrap' as const, address: '0.0.0.0', port: 5784 }
]
const opts = { hostname: 'bench-pc', addresses: ['10.1.2.3', 'fd00::7'] }

describe('own server', () => {
  it('loopback, localhost, the hostname and interface addresses (IPv4, IPv6) with a listener port', () => {
    for (const uri of ['coaps://127.0.0.1:5684', 'coaps://localhost:5684', 'coaps://[::1]:5684', 'coaps://BENCH-PC:5684', 'coaps://10.1.2.3:5684', 'coaps://[fd00::7]:5684', 'coaps://10.1.2.3'])
      expect(ownServerRole(uri, listeners, opts), uri).toBe('server')
    expect(ownServerRole('coaps://127.0.0.1:5784', listeners, opts)).toBe('bootstrap')
  })
  it('not another host, not another port, not plain coap://', () => {
    for (const uri of ['coaps://192.0.2.1:5684', 'coaps://127.0.0.1:5685', 'coap://127.0.0.1:5684', 'coaps://bench-pc.example.com:5684', 'not a uri'])
      expect(ownServerRole(uri, listeners, opts), uri).toBeNull()
  })
  it('the DTLS listeners are picked from system.info listeners by transport, their role by name', () => {
    expect(
      dtlsListeners([
        { role: 'LwM2M Server', transport: 'CoAP over UDP', address: '127.0.0.1', port: 5683 },
        { role: 'LwM2M Server', transport: 'CoAP over DTLS 1.2', address: '127.0.0.1', port: 5684 },
        { role: 'Bootstrap Server', transport: 'CoAP over DTLS 1.2', address: '::', port: 5784 }
      ])
    ).toEqual([
      { role: 'server', address: '127.0.0.1', port: 5684 },
      { role: 'bootstrap', address: '::', port: 5784 }
    ])
  })
})
