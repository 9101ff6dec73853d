// SPDX-License-Identifier: Apache-2.0
// Shell provisioning over a serial console (issue 17 item 4).
import { ServiceError } from '../contract/errors'
import type { Params, Result } from '../contract/methods'
import type { BootstrapService } from './bootstrap-service'
import type { SerialService } from './serial-service'

export async function provisionOverShell(serial: SerialService, bootstrap: BootstrapService, p: Params<'serial.provision'>): Promise<Result<'serial.provision'>> {
  serial.link(p.path)
  bootstrap.get(p.endpoint)
  throw new ServiceError('serial.provision_failed', `the ${p.dialect} dialect is not available yet`)
}
