// Configuration checks (docs/bootstrap-config.md): problems block saving and runs, warnings do not.
import { describe, expect, it } from 'vitest'
import { accountRecords, checkConfig, readConfig, type BootstrapConfig } from '../../../../src-main/core/lwm2m/bootstrap/config'

const base: BootstrapConfig = {
  endpoint: 'dev1',
  discoverFirst: true,
  deletePaths: ['/0', '/1'],
  security: [{ instanceId: 1, uri: 'coap://192.0.2.7:5683', bootstrapServer: false, securityMode: 3, shortServerId: 101 }],
  servers: [{ instanceId: 0, shortServerId: 101, lifetime: 300, notificationStoring: true, binding: 'U' }],
  contentFormat: 'auto',
  allowPack: true
}
const withUri = (uri: string): BootstrapConfig => ({ ...base, security: [{ ...base.security[0]!, uri }] })
const psk = (s: Partial<BootstrapConfig['security'][number]>): BootstrapConfig => ({ ...base, security: [{ ...base.security[0]!, securityMode: 0, ...s }] })

describe('item 12: a useless configuration is not ready', () => {
  it('the UI template "*" with coap://<server-host> has a problem', () => {
    const r = checkConfig({ ...withUri('coap://<server-host>:5683'), endpoint: '*' })
    expect(r.problems.join('\n')).toMatch(/placeholder/)
  })
  it('0.0.0.0 is a problem; an unserved scheme only a warning', () => {
    expect(checkConfig(withUri('coap://0.0.0.0')).problems.join()).toMatch(/0\.0\.0\.0/)
    const r = checkConfig(withUri('coaps://lwm2m.example.com'), { servedSchemes: ['coap'] })
    expect(r.problems).toEqual([])
    expect(r.warnings.join()).toMatch(/does not serve it yet/)
  })
  it('a well-formed configuration has no problems', () => {
    expect(checkConfig(base)).toEqual({ problems: [], warnings: [] })
  })
})

describe('item 7: the shared endpoint-name rule', () => {
  it('a control character or an empty name is a problem; "*" is the default', () => {
    expect(checkConfig({ ...base, endpoint: 'dev\u0001' }).problems.join()).toMatch(/control character/)
    expect(checkConfig({ ...base, endpoint: '' }).problems.join()).toMatch(/empty/)
    expect(checkConfig({ ...base, endpoint: '*' }).problems).toEqual([])
  })
})

describe('item 13: PSK identity and key encodings said, not guessed (T §5)', () => {
  it('a text identity is written as its UTF-8 bytes; a base64 key as its bytes', () => {
    const c = psk({ publicKeyOrIdentity: 'dev1', identityEncoding: 'text', secretKey: 'AAECAwQFBgcICQoLDA0ODw==', secretKeyEncoding: 'base64' })
    expect(checkConfig(c).problems).toEqual([])
    const recs = accountRecords(c)
    const value = (p: string) => recs.find((r) => r.path.join('/') === p)?.value?.value
    expect([...(value('0/1/3') as Uint8Array)]).toEqual([...new TextEncoder().encode('dev1')])
    expect([...(value('0/1/5') as Uint8Array)]).toEqual([...Array(16).keys()])
  })
  it('odd or non-hex input is refused in plain words', () => {
    expect(checkConfig(psk({ publicKeyOrIdentity: 'dev1', identityEncoding: 'hex', secretKey: '00112233445566778899aabbccddeeff' })).problems.join()).toMatch(/PSK identity is not hex: "v"/)
    expect(checkConfig(psk({ publicKeyOrIdentity: '6964', secretKey: '001', secretKeyEncoding: 'hex' })).problems.join()).toMatch(/odd number of hex digits/)
  })
  it('a stored configuration from before the encoding fields reads as hex, as it always did', () => {
    const old = psk({ publicKeyOrIdentity: '6964', secretKey: '00112233445566778899aabbccddeeff' })
    const read = readConfig(old)
    expect(read.security[0]).toMatchObject({ identityEncoding: 'hex', secretKeyEncoding: 'hex' })
    expect(checkConfig(read).problems).toEqual([])
    expect([...(accountRecords(read).find((r) => r.path.join('/') === '0/1/3')?.value?.value as Uint8Array)]).toEqual([0x69, 0x64])
  })
})
