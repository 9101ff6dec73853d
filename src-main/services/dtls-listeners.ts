// SPDX-License-Identifier: Apache-2.0
// Our DTLS listeners among all listeners (system.info's list), by role: what makes a Security URI
// "our own server" (own-server.ts). A listener is DTLS when its transport names DTLS or coaps.
import type { Listener } from '../contract/system'
import type { OwnListener } from './own-server'

export function dtlsListeners(all: readonly Listener[]): OwnListener[] {
  return all
    .filter((l) => /dtls|coaps/i.test(l.transport))
    .map((l) => ({ role: /bootstrap/i.test(l.role) ? ('bootstrap' as const) : ('server' as const), address: l.address, port: l.port }))
}
