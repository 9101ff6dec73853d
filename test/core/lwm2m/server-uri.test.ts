// Issue 12 item 12: server URIs checked by form alone, without DNS (schemes from T §6.8, §7, §8).
import { describe, expect, it } from 'vitest'
import { checkServerUri } from '../../../src-main/core/lwm2m/server-uri'

const served = ['coap']
const problem = (uri: string) => checkServerUri(uri, served).problem

describe('server URI check (item 12)', () => {
  it('accepts every LwM2M scheme, with or without a port', () => {
    for (const u of ['coap://10.0.0.1', 'coaps://lwm2m.example.com:5684', 'coap+tcp://h:5683', 'coaps+tcp://h', 'coap+uart://ttyUSB0', 'mqtt://broker', 'mqtts://broker:8883', 'http://h/lwm2m', 'https://[2001:db8::1]:443', 'coap://[::1]:5683'])
      expect(problem(u), u).toBeNull()
  })
  it('refuses placeholders, the wildcard address, other schemes and broken hosts or ports', () => {
    expect(problem('coap://<server-host>:5683')).toMatch(/placeholder/)
    expect(problem('coap://0.0.0.0:5683')).toMatch(/0\.0\.0\.0/)
    expect(problem('coap://[::]:5683')).toMatch(/unspecified/)
    expect(problem('ftp://h')).toMatch(/not an LwM2M scheme/)
    expect(problem('coap://')).toMatch(/no host/)
    expect(problem('coap://ho st')).toMatch(/not a valid host name/)
    expect(problem('coap://300.1.1.1')).toMatch(/not an IPv4 address/)
    expect(problem('coap://h:0')).toMatch(/port/)
    expect(problem('coap://h:70000')).toMatch(/port/)
    expect(problem('')).toMatch(/empty/)
    expect(problem('coap:h')).toMatch(/scheme:\/\/host/)
  })
  it('a scheme this tool does not serve yet is a warning, not a problem', () => {
    expect(checkServerUri('coaps://h:5684', served)).toMatchObject({ problem: null, warning: expect.stringMatching(/does not serve it yet/) })
    expect(checkServerUri('coap://h', served).warning).toBeNull()
  })
})
