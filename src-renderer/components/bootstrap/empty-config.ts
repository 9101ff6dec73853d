// SPDX-License-Identifier: Apache-2.0
import type { BootstrapConfig } from '@contract/bootstrap'

/** A starting point: one NoSec server account, the usual deletes, Pack allowed. */
export function newConfig(endpoint: string, serverUri: string): BootstrapConfig {
  return {
    endpoint,
    discoverFirst: true,
    deletePaths: ['/0', '/1'],
    security: [{ instanceId: 1, uri: serverUri, bootstrapServer: false, securityMode: 3, shortServerId: 101 }],
    servers: [{ instanceId: 0, shortServerId: 101, lifetime: 300, notificationStoring: true, binding: 'U' }],
    contentFormat: 'auto',
    allowPack: true
  }
}
