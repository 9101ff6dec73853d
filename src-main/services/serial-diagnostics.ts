// SPDX-License-Identifier: Apache-2.0
// What a simulated device on a serial line prints as diagnostic text (slipmux 0x0A frames), in
// the spirit of a firmware log: state changes, bootstraps and requests it served.
import { formatCode } from '../core/coap/message'
import type { ClientEvent } from '../core/lwm2m/client/lwm2m-client'

/** One log line for the event, or null for events a firmware would not log. */
export function describeForConsole(endpoint: string, e: ClientEvent): string | null {
  switch (e.type) {
    case 'state':
      return `${endpoint}: ${e.state}${e.detail ? ` (${e.detail})` : ''}`
    case 'bootstrapped':
      return `${endpoint}: bootstrap done (${e.source})`
    case 'request':
      return `${endpoint}: ${e.operation} ${e.path} -> ${formatCode(e.code)}`
    default:
      return null
  }
}
