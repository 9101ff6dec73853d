// Leshan's bootstrap configuration file (its demo bootstrap server's JSON store) imported as it is.
import { describe, expect, it } from 'vitest'
import { checkConfig } from '../../../../src-main/core/lwm2m/bootstrap/config'
import { fromLeshanBootstrapJson, isLeshanBootstrapJson } from '../../../../src-main/core/lwm2m/bootstrap/leshan-import'

// Written for this test from Leshan's field names: signed byte arrays, mode names, map keys as ids.
const LESHAN = {
  'urn:imei:3520990': {
    autoIdForSecurityObject: false,
    toDelete: ['/0', '/1'],
    servers: { '0': { shortId: 123, lifetime: 300, defaultMinPeriod: 1, notifIfDisabled: true, binding: 'UQ' } },
    security: {
      '0': { uri: 'coaps://bs.example:5784', bootstrapServer: true, securityMode: 'PSK', publicKeyOrId: [98, 115], serverPublicKey: [], secretKey: [1, -1, 127, -128], serverId: 111, clientOldOffTime: 1, bootstrapServerAccountTimeout: 0 },
      '1': { uri: 'coap://lwm2m.example:5683', bootstrapServer: false, securityMode: 'NO_SEC', publicKeyOrId: [], serverPublicKey: [], secretKey: [], serverId: 123, clientOldOffTime: 1, bootstrapServerAccountTimeout: 0 }
    },
    acls: { '0': { objectId: 3, objectInstanceId: 0, acls: { '123': 7 }, AccessControlOwner: 123 } },
    oscore: {}
  }
}

describe('Leshan bootstrap JSON (DESIGN.md Files: imported as it is)', () => {
  it('is recognised, and our own format is not mistaken for it', () => {
    expect(isLeshanBootstrapJson(LESHAN)).toBe(true)
    expect(isLeshanBootstrapJson({ endpoint: 'x', security: [], servers: [] })).toBe(false)
    expect(isLeshanBootstrapJson([])).toBe(false)
  })
  it('becomes our configuration: accounts, keys as hex (said so, item 13), SSIDs, binding, deletes and ACL records; its BS entry becomes BS-01 rotation (item 11)', () => {
    const { configs, problems } = fromLeshanBootstrapJson(LESHAN)
    expect(problems).toEqual([])
    const [c] = configs
    expect(c).toMatchObject({ endpoint: 'urn:imei:3520990', deletePaths: ['/0', '/1'], contentFormat: 'auto', discoverFirst: true })
    expect(c?.rotateBootstrapAccount).toEqual({ uri: 'coaps://bs.example:5784', securityMode: 0, publicKeyOrIdentity: '6273', identityEncoding: 'hex', secretKey: '01ff7f80', secretKeyEncoding: 'hex', clientHoldOffTime: 1, bootstrapAccountTimeout: 0 })
    expect(c?.security).toEqual([
      { instanceId: 1, uri: 'coap://lwm2m.example:5683', bootstrapServer: false, securityMode: 3, shortServerId: 123, clientHoldOffTime: 1, bootstrapAccountTimeout: 0 }
    ])
    expect(c?.servers).toEqual([{ instanceId: 0, shortServerId: 123, lifetime: 300, defaultMinPeriod: 1, notificationStoring: true, binding: 'UQ' }])
    expect(c?.otherRecords).toEqual([
      { path: '/2/0/0', type: 'integer', value: 3 },
      { path: '/2/0/1', type: 'integer', value: 0 },
      { path: '/2/0/2/123', type: 'integer', value: 7 },
      { path: '/2/0/3', type: 'integer', value: 123 }
    ])
    expect(checkConfig(c!).problems).toEqual([])
  })
  it('names what it cannot carry over instead of failing', () => {
    const { configs, problems } = fromLeshanBootstrapJson({ a: { security: { '0': { uri: 'coap://x', securityMode: 'MAGIC' } }, oscore: { '0': {} } } })
    expect(configs[0]?.security).toEqual([])
    expect(problems.join('\n')).toMatch(/unknown security mode "MAGIC"/)
    expect(problems.join('\n')).toMatch(/OSCORE/)
  })
})
