// SPDX-License-Identifier: Apache-2.0
// Issue 17 item 3: a slipmux line opened before the Server and Bootstrap Server roles start (the
// desktop app starts its listeners in the background while the window may already open a port)
// is served by them once they run, without reopening the line.
import { afterEach, describe, expect, it } from 'vitest'
import type { BootstrapConfig, BootstrapRunDto } from '../../src-main/contract/bootstrap'
import type { DeviceDetail, OperationResultDto } from '../../src-main/contract/devices'
import type { OpenSerialPortDto } from '../../src-main/contract/serial'
import { createWorkbench, type Workbench } from '../../src-main/services/workbench'
import { callIn } from '../helpers/in-process'
import { ptyPair } from '../helpers/pty-pair'
import { allRegistered } from '../helpers/simulator'
import { tempDir } from '../helpers/temp-dir'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

describe('roles that start after serial.open (issue 17 item 3)', () => {
  it('a line opened before the roles start gets both once they run: a device bootstraps and registers over it, named by its port', async () => {
    const dir = tempDir()
    const wb: Workbench = createWorkbench({ dataDir: dir.path, log: () => {} })
    cleanups.push(() => dir.cleanup(), () => wb.close())
    const call = <T>(method: string, params: unknown): Promise<T> => callIn<T>(wb, method, params)
    const pair = await ptyPair()
    cleanups.push(() => pair.stop())

    const opened = await call<OpenSerialPortDto>('serial.open', { path: pair.a, baudRate: 115200, framing: 'slipmux' })
    expect(opened.roles).toEqual([])

    await wb.startListeners({ coap: { host: '127.0.0.1', port: 0 }, bootstrap: { host: '127.0.0.1', port: 0 } })
    const open = (await call<{ open: OpenSerialPortDto[] }>('serial.ports', {})).open
    expect(open).toMatchObject([{ path: pair.a, roles: ['server', 'bootstrap'] }])

    const uri = 'coap+uart://A'
    const config: BootstrapConfig = {
      endpoint: 'ser-late',
      discoverFirst: false,
      deletePaths: ['/0', '/1'],
      security: [{ instanceId: 1, uri, bootstrapServer: false, securityMode: 3, shortServerId: 78 }],
      servers: [{ instanceId: 0, shortServerId: 78, lifetime: 600, notificationStoring: false, binding: 'U' }],
      contentFormat: 'auto',
      allowPack: true
    }
    await call('bootstrap.configs.put', { config })
    const { fleetId } = await call<{ fleetId: string }>('simulator.start', { bootstrap: uri, serial: pair.b, endpoint: 'ser-late', lwm2m: '1.1' })
    cleanups.push(() => call('simulator.stop', { fleetId }).then(() => undefined, () => undefined))
    await allRegistered({ call }, ['ser-late'])
    const { runs } = await call<{ runs: BootstrapRunDto[] }>('bootstrap.runs.list', { endpoint: 'ser-late' })
    expect(runs[0]).toMatchObject({ outcome: 'success' })
    // The device page names the port, and a downlink request goes back over the line.
    expect(await call<DeviceDetail>('devices.get', { endpoint: 'ser-late' })).toMatchObject({ address: pair.a, lifetime: 600 })
    expect(await call<OperationResultDto>('devices.read', { endpoint: 'ser-late', path: '/3/0/0' })).toMatchObject({ success: true, code: '2.05' })
  })
})
