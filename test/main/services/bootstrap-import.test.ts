// bootstrap.configs.import: our JSON or Leshan's file; all or nothing.
import { afterAll, describe, expect, it } from 'vitest'
import { createWorkbench } from '../../../src-main/services/workbench'
import { tempDir } from '../../helpers/temp-dir'

const dir = tempDir()
const wb = createWorkbench({ dataDir: dir.path, log: () => {} })
afterAll(async () => {
  await wb.close()
  dir.cleanup()
})
const call = (method: string, params: unknown) => wb.dispatcher.dispatch(method, params, { carrier: 'in-process' })

describe('bootstrap.configs.import', () => {
  it('takes a Leshan bootstrap file as it is', async () => {
    const leshan = {
      dev1: {
        toDelete: ['/0'],
        servers: { '0': { shortId: 5, lifetime: 60, notifIfDisabled: false, binding: 'U' } },
        security: { '0': { uri: 'coap://127.0.0.1:5683', bootstrapServer: false, securityMode: 'NO_SEC', serverId: 5, publicKeyOrId: [], serverPublicKey: [], secretKey: [] } }
      }
    }
    const r = await call('bootstrap.configs.import', { json: leshan })
    expect(r).toMatchObject({ ok: true, result: { imported: [{ endpoint: 'dev1', problems: [] }], problems: [] } })
    expect(await call('bootstrap.configs.get', { endpoint: 'dev1' })).toMatchObject({ ok: true, result: { config: { servers: [{ shortServerId: 5, notificationStoring: false }] } } })
  })
  it('refuses the whole file when one configuration is inconsistent, saving none', async () => {
    const ours = (endpoint: string, ssid: number) => ({
      endpoint,
      discoverFirst: false,
      deletePaths: [],
      security: [{ instanceId: 0, uri: 'coap://h', bootstrapServer: false, securityMode: 3, shortServerId: 1 }],
      servers: [{ instanceId: 0, shortServerId: ssid, lifetime: 60, notificationStoring: true, binding: 'U' }],
      contentFormat: 'auto',
      allowPack: true
    })
    const r = await call('bootstrap.configs.import', { json: [ours('good', 1), ours('bad', 9)] })
    expect(r).toMatchObject({ ok: false, error: { code: 'bootstrap.invalid_config' } })
    expect(await call('bootstrap.configs.get', { endpoint: 'good' })).toMatchObject({ ok: false, error: { code: 'bootstrap.not_found' } })
  })
})
