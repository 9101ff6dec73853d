// SPDX-License-Identifier: Apache-2.0
// Every setting the app knows, with its schema and default. A key not listed here is refused,
// so a typo in `lwm2m-wb call settings.set` fails loudly instead of storing a dead value.
import { array, boolean, integer, literal, string, type Infer, type Schema } from './schema'

export const SETTINGS = {
  /** Colour theme; "system" follows the OS. */
  'ui.theme': { schema: literal('system', 'light', 'dark'), default: 'system' },
  /** Row density of the big lists. */
  'ui.density': { schema: literal('compact', 'comfortable'), default: 'compact' },
  /** Extra folders of OMA DDF XML object definitions loaded at start (issue 3). */
  'models.folders': { schema: array(string({ minLength: 1, maxLength: 4096 }), 64), default: [] as string[] },
  /**
   * How long a queue-mode device counts as awake after its last message (T §6.5 recommends
   * MAX_TRANSMIT_WAIT, 93 s); requests to it wait in the queue after that. Applies at once.
   */
  'server.queueAwakeSeconds': { schema: integer(1, 86400), default: 93 },
  /** Deadline for a device's answer to a request, counted from sending (a call's timeoutMs overrides it). Applies at once. */
  'server.requestTimeoutSeconds': { schema: integer(1, 3600), default: 30 },
  /** Most registrations the LwM2M Server holds; past it a Register gets 5.03 with Max-Age. Applies at once. */
  'server.maxRegistrations': { schema: integer(1, 10_000_000), default: 100_000 },
  /** How long a device whose registration ended stays on the timeline and in the ended list. Applies at once. */
  'server.historyMinutes': { schema: integer(1, 10_080), default: 60 },
  /**
   * Write DTLS session secrets in the NSS key log format to <data dir>/dtls-keylog.txt so that a
   * capture can be decrypted by Wireshark/tshark (issue 15 item 7). Off by default: anyone with
   * the file reads the traffic. The UI warns while it is on.
   */
  'dtls.keyLog': { schema: boolean(), default: false },
  /** Budget of the live packet capture in MiB; the oldest frames go past it. Applies at once. */
  'capture.maxMegabytes': { schema: integer(1, 65_536), default: 256 },
  /** UDP ports read as CoAP/DTLS in imported capture files. */
  'capture.coapPorts': { schema: array(integer(1, 65_535), 64), default: [5683, 5684, 5783, 5784] as number[] },
  /** CID length for tls12_cid records of captures that start after the DTLS handshake (0: none). */
  'capture.cidLength': { schema: integer(0, 255), default: 0 }
} as const satisfies Record<string, { schema: Schema<unknown>; default: unknown }>

export type SettingKey = keyof typeof SETTINGS
export type SettingValue<K extends SettingKey> = Infer<(typeof SETTINGS)[K]['schema']>
export type Settings = { [K in SettingKey]: SettingValue<K> }

export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[]

export function isSettingKey(key: string): key is SettingKey {
  return Object.prototype.hasOwnProperty.call(SETTINGS, key)
}
