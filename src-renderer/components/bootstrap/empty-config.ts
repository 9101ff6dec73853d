// SPDX-License-Identifier: Apache-2.0
import type { BootstrapConfig } from '@contract/bootstrap'

/**
 * A starting point: one NoSec server account, the usual deletes, Pack allowed. Endpoint and
 * server URI start empty: a made-up default ("*" with a placeholder host) would be saved as ready
 * and provision every unknown device with a server it cannot reach (issue 12 item 12).
 */
export function newConfig(endpoint = '', serverUri = ''): BootstrapConfig {
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
