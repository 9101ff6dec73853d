// SPDX-License-Identifier: Apache-2.0
// The one contract: method names (`domain.verb`) to param schemas and result types. Adding a
// method means adding it here, writing its service and one line in the dispatcher table.
import { BOOTSTRAP_CONFIG_SCHEMA, type BootstrapConfigEntry, type BootstrapConfigReview, type BootstrapRunDto } from './bootstrap'
import type { CancelResultDto, DeviceDetail, DevicesPage, ObservationDto, ObserveResultDto, OperationResultDto, QueuedRequestDto, TimelinePage } from './devices'
import type { ModelDetail, ModelFoldersResult, ModelsOverview } from './models'
import { array, boolean, integer, literal, number, object, optional, string, json, type Infer, type Json, type Schema } from './schema'
import type { Settings } from './settings'
import type { SystemInfo, SystemOverview } from './system'
import { FAULT_SCHEMA, type FleetDto, type ProfileInfo, type SimulatedDeviceDto } from './simulator'
import { DEVICE_SORT_KEYS } from './devices'
import { CREDENTIAL_INPUT_SCHEMA, HANDSHAKES_PARAMS, type CredentialDto, type CredentialReview, type HandshakesPage } from './security'
import { SERIAL_PARAMS, type OpenSerialPortDto, type SerialConsolePage, type SerialPortDto, type SerialProvisionResult } from './serial'
import type { CardApduDto, CardBootstrapDto, CardReadersDto, CardWriteDto, CardWriteRecordDto } from './cards'
import type { CaptureFrameDetail, CaptureImportResult, CapturePage, CaptureSettingsDto, CaptureStatusDto } from './capture'

/** Endpoint client name: the rule of core/lwm2m/endpoint-name.ts (256 bytes of UTF-8, printable). */
const endpoint = string({ minLength: 1, maxBytes: 256, printable: true })
const requestId = string({ minLength: 1, maxLength: 64, pattern: /^[A-Za-z0-9._:-]+$/ })
/** Every request to a device may name itself (to cancel it) and set its deadline. */
const perRequest = { requestId: optional(requestId), timeoutMs: optional(integer(1, 3_600_000)) }
const attributesRoute = optional(literal('query', 'write-attributes'))
/** An LwM2M path "/3/0/1" (checked strictly by the service). */
const path = string({ minLength: 1, maxLength: 64, pattern: /^\/[0-9/]*$/ })
/** A path, or a gateway end device's path with its prefix: "/dev1/3/0/1" (Object 25). */
const target = string({ minLength: 1, maxLength: 128, pattern: /^\/([A-Za-z_][A-Za-z0-9_.-]*\/)?[0-9/]*$/ })
/** A content format by name ("senml-cbor") or number ("112"). */
const format = string({ minLength: 1, maxLength: 20 })
const record = object({
  path,
  type: optional(literal('string', 'integer', 'unsigned', 'float', 'boolean', 'opaque', 'time', 'objlnk', 'corelnk', 'none')),
  value: optional(json(4)),
  prefix: optional(string({ maxLength: 64 })),
  time: optional(number()),
  delete: optional(boolean())
})
const records = array(record, 100_000)
/** A PC/SC reader name as pcsc-lite lists it. */
const cardReader = string({ minLength: 1, maxLength: 200, printable: true })

export const METHOD_PARAMS = {
  'system.info': object({}),
  'settings.get': object({ keys: optional(array(string({ maxLength: 200 }), 200)) }),
  'settings.set': object({ key: string({ maxLength: 200 }), value: json() }),
  'models.list': object({ query: optional(string({ maxLength: 200 })) }),
  'models.get': object({ id: integer(0, 65534), version: optional(string({ maxLength: 20, pattern: /^[0-9]+(\.[0-9]+)*$/ })) }),
  'models.addFolder': object({ folder: string({ minLength: 1, maxLength: 4096 }) }),
  'models.removeFolder': object({ folder: string({ minLength: 1, maxLength: 4096 }) }),
  'models.reload': object({}),
  /** Sorted and filtered on the server, since the list is windowed; `state` lists recently ended registrations instead of live ones. */
  'devices.list': object({
    cursor: optional(integer(0)),
    limit: optional(integer(1, 1000)),
    filter: optional(string({ maxLength: 200 })),
    sort: optional(literal(...DEVICE_SORT_KEYS)),
    order: optional(literal('asc', 'desc')),
    state: optional(literal('expired', 'deregistered'))
  }),
  'devices.get': object({ endpoint }),
  'devices.read': object({ endpoint, path: target, format: optional(format), ...perRequest }),
  'devices.readComposite': object({ endpoint, paths: array(path, 1000), format: optional(format), ...perRequest }),
  'devices.writeComposite': object({ endpoint, records, format: optional(format), ...perRequest }),
  'devices.observeComposite': object({ endpoint, paths: array(path, 1000), attributes: optional(string({ maxLength: 1000 })), format: optional(format), force: optional(boolean()), attributesRoute, ...perRequest }),
  'devices.discover': object({ endpoint, path: target, depth: optional(integer(0, 3)), ...perRequest }),
  'devices.write': object({ endpoint, path: target, records, format: optional(format), partial: optional(boolean()), ...perRequest }),
  /** `force` sends attributes that break C §5.1.2's rules anyway (to test a client's answer). */
  'devices.writeAttributes': object({ endpoint, path, attributes: string({ maxLength: 1000 }), force: optional(boolean()), ...perRequest }),
  'devices.execute': object({ endpoint, path: target, args: optional(string({ maxLength: 4096 })), force: optional(boolean()), ...perRequest }),
  'devices.create': object({ endpoint, path, records, format: optional(format), ...perRequest }),
  'devices.delete': object({ endpoint, path: target, ...perRequest }),
  'devices.observe': object({ endpoint, path: target, attributes: optional(string({ maxLength: 1000 })), format: optional(format), force: optional(boolean()), attributesRoute, ...perRequest }),
  /** `clearAttributes` removes attributes attached with Write-Attributes for this observation (1.0/1.1 route). */
  'devices.cancelObservation': object({ observationId: string({ minLength: 1, maxLength: 64 }), mode: optional(literal('get', 'rst')), clearAttributes: optional(boolean()) }),
  'devices.observations': object({ endpoint }),
  'devices.queue': object({ endpoint }),
  /** Ends a queued or in-flight request; one already sent may still take effect on the device. */
  'devices.cancel': object({ endpoint, requestId }),
  /** The device's story as the server kept it; `cursor` is the last `seq` seen (-1: from the start). */
  'devices.timeline': object({ endpoint, cursor: optional(integer(-1)), limit: optional(integer(1, 1000)) }),
  'bootstrap.configs.list': object({}),
  'bootstrap.configs.get': object({ endpoint }),
  'bootstrap.configs.put': object({ config: BOOTSTRAP_CONFIG_SCHEMA }),
  'bootstrap.configs.delete': object({ endpoint }),
  /** Our configuration JSON (one or an array) or Leshan's bootstrap file, imported as it is. */
  'bootstrap.configs.import': object({ json: json(12) }),
  'bootstrap.runs.list': object({ endpoint: optional(endpoint), limit: optional(integer(1, 1000)) }),
  /** Problems (block saving and runs) and warnings for a configuration, without saving it. */
  'bootstrap.configs.check': object({ config: BOOTSTRAP_CONFIG_SCHEMA }),
  /** Renames in one step (no copy left behind); "*" is the default configuration's name. */
  'bootstrap.configs.rename': object({ from: endpoint, to: endpoint }),
  /** Counts for today, recent activity and the URIs devices can use (the Overview). */
  'system.overview': object({}),
  /**
   * Starts a fleet of simulated devices: `profile` names a built-in profile or is a profile's JSON
   * (docs/simulator-profile.md); `count` devices named prefix0…, or one named `endpoint`; towards
   * `server` (registers at once) or `bootstrap` (bootstraps first).
   */
  'simulator.start': object({
    profile: optional(json(12)),
    count: optional(integer(1, 20_000)),
    prefix: optional(string({ minLength: 1, maxLength: 200, printable: true })),
    endpoint: optional(endpoint),
    server: optional(string({ minLength: 1, maxLength: 255 })),
    bootstrap: optional(string({ minLength: 1, maxLength: 255 })),
    /** One device on this serial port (slipmux) instead of UDP; its server URIs are coap+uart://… */
    serial: optional(string({ minLength: 1, maxLength: 1024, printable: true })),
    lwm2m: optional(literal('1.0', '1.1', '1.2')),
    format: optional(literal('tlv', 'senml-json', 'senml-cbor', 'lwm2m-cbor')),
    lifetime: optional(integer(1, 0xffffffff)),
    queue: optional(boolean()),
    gateway: optional(integer(0, 100)),
    /** PSK identity for coaps:// accounts; "{endpoint}" becomes each device's name (default "{endpoint}"). */
    pskIdentity: optional(string({ minLength: 1, maxLength: 128 })),
    /** PSK for coaps:// accounts (Security mode 0), hex unless pskKeyEncoding says base64. */
    pskKey: optional(string({ minLength: 1, maxLength: 200 })),
    pskKeyEncoding: optional(literal('hex', 'base64')),
    /** Offer a DTLS Connection ID (RFC 9146) to coaps:// servers. */
    cid: optional(boolean())
  }),
  'simulator.stop': object({ fleetId: string({ minLength: 1, maxLength: 64 }) }),
  'simulator.list': object({}),
  'simulator.profiles': object({}),
  /** One simulated device: state, servers, values, faults. */
  'simulator.device': object({ endpoint }),
  /** Sets a value as the device itself would (a sensor reading, a switch). */
  'simulator.set': object({ endpoint, path, value: json(4) }),
  /** Makes the device Send (/dp, C §6.4.4) these paths to a server; refused while Mute Send (/1/x/23) is not false. */
  'simulator.send': object({ endpoint, paths: array(path, 100), ssid: optional(integer(1, 65534)) }),
  /** Adds a fault to a fleet or one device; `clear` removes every fault first (alone: just clears). */
  'simulator.inject': object({ fleetId: optional(string({ minLength: 1, maxLength: 64 })), endpoint: optional(endpoint), fault: optional(FAULT_SCHEMA), clear: optional(boolean()) }),
  /** Stores a DTLS credential (docs/security.md); defaults: role server, identity text, key hex. Replaces the endpoint's credential for that role. */
  'security.put': CREDENTIAL_INPUT_SCHEMA,
  /** What security.put would refuse or warn about, per field, without saving (the form's inline checks). */
  'security.check': CREDENTIAL_INPUT_SCHEMA,
  /** Credentials (one endpoint's, or a window of all, `filter` on endpoint or identity), sorted by endpoint; keys masked. */
  'security.list': object({ endpoint: optional(endpoint), filter: optional(string({ maxLength: 200 })), cursor: optional(integer(0)), limit: optional(integer(1, 1000)) }),
  'security.delete': object({ endpoint, role: optional(literal('server', 'bootstrap')) }),
  /** Handshake records, newest first, paged with `cursor` (the previous page's nextCursor). */
  'security.handshakes': HANDSHAKES_PARAMS,
  /** The system's serial ports (ptys never appear; any path can still be opened) and the open ones. */
  'serial.ports': object(SERIAL_PARAMS['serial.ports']),
  /** slipmux: CoAP to the roles plus a console of diagnostic text; raw: a console of text lines. */
  'serial.open': object(SERIAL_PARAMS['serial.open']),
  'serial.close': object(SERIAL_PARAMS['serial.close']),
  /** DTR/RTS (many boards reset on DTR); ptys refuse. */
  'serial.control': object(SERIAL_PARAMS['serial.control']),
  /** Bytes to the line as they are: `text` (UTF-8) or `hex`. */
  'serial.write': object(SERIAL_PARAMS['serial.write']),
  /** A window of console lines from `cursor`, and the recent decoded CoAP frames. */
  'serial.console': object(SERIAL_PARAMS['serial.console']),
  /** Writes the stored bootstrap configuration of `endpoint` through the device's shell and starts its client. */
  'serial.provision': object(SERIAL_PARAMS['serial.provision']),
  /** PC/SC readers with card presence and ATR (issue 18). */
  'cards.readers': object({}),
  /** Reads EF LwM2M_Bootstrap (LwM2M Core App. G); `pin` when the DODF marks it private; `endpoint` compares with that stored configuration. */
  'cards.readBootstrap': object({ reader: cardReader, pin: optional(string({ minLength: 4, maxLength: 8, pattern: /^[0-9]+$/ })), endpoint: optional(endpoint) }),
  /** Writes the stored configuration for `endpoint`, then reads back and compares; `adm`: 16 hex or 8 digits. */
  'cards.writeBootstrap': object({
    reader: cardReader,
    endpoint,
    adm: string({ minLength: 8, maxLength: 16 }),
    pin: optional(string({ minLength: 4, maxLength: 8, pattern: /^[0-9]+$/ })),
    allowLastTry: optional(boolean())
  }),
  /** One APDU (expert); VERIFY and UPDATE BINARY data come back masked. */
  'cards.apdu': object({ reader: cardReader, hex: string({ minLength: 8, maxLength: 600, pattern: /^[0-9A-Fa-f\s]+$/ }) }),
  /** The record of card writes, newest first. */
  'cards.records': object({ limit: optional(integer(1, 1000)) }),
  /** A window of captured frames the filter (docs/filters.md) matches; `cursor` is the index of the first match. */
  'capture.list': object({ filter: optional(string({ maxLength: 2000 })), cursor: optional(integer(0)), limit: optional(integer(1, 1000)) }),
  /** One frame: its row, the decoded field tree and the bytes. */
  'capture.get': object({ id: integer(1) }),
  /**
   * Adds a pcap/pcapng file on this machine to the capture; `keylog` is a TLS key log's text,
   * `psk` the pre-shared keys (identity as text, key as hex) that decrypt plain PSK sessions.
   */
  'capture.import': object({
    path: string({ minLength: 1, maxLength: 4096 }),
    keylog: optional(string({ maxLength: 1_000_000 })),
    psk: optional(array(object({ identity: string({ minLength: 1, maxLength: 128 }), key: string({ minLength: 2, maxLength: 512, pattern: /^([0-9a-fA-F]{2})+$/ }) }), 1000))
  }),
  /** Writes the capture (or what `filter` matches) to a file on this machine. */
  'capture.export': object({ path: string({ minLength: 1, maxLength: 4096 }), format: literal('pcapng', 'pcap'), filter: optional(string({ maxLength: 2000 })) }),
  'capture.clear': object({}),
  'capture.settings.get': object({}),
  'capture.settings.set': object({ maxMegabytes: optional(integer(1, 65536)), paused: optional(boolean()), coapPorts: optional(array(integer(1, 65535), 64)), cidLength: optional(integer(0, 255)) })
} as const satisfies Record<string, Schema<unknown>>

export interface MethodResults {
  'system.info': SystemInfo
  'settings.get': { settings: Partial<Settings> }
  'settings.set': { key: string; value: Json }
  'models.list': ModelsOverview
  'models.get': ModelDetail
  'models.addFolder': ModelFoldersResult
  'models.removeFolder': ModelFoldersResult
  'models.reload': ModelFoldersResult
  'devices.list': DevicesPage
  'devices.get': DeviceDetail
  'devices.read': OperationResultDto
  'devices.readComposite': OperationResultDto
  'devices.writeComposite': OperationResultDto
  'devices.observeComposite': ObserveResultDto
  'devices.discover': OperationResultDto
  'devices.write': OperationResultDto
  'devices.writeAttributes': OperationResultDto
  'devices.execute': OperationResultDto
  'devices.create': OperationResultDto
  'devices.delete': OperationResultDto
  'devices.observe': ObserveResultDto
  'devices.cancelObservation': { cancelled: true; cleared: OperationResultDto[] }
  'devices.observations': { observations: ObservationDto[] }
  'devices.queue': { queue: QueuedRequestDto[] }
  'devices.cancel': CancelResultDto
  'devices.timeline': TimelinePage
  'bootstrap.configs.list': { configs: BootstrapConfigEntry[] }
  'bootstrap.configs.get': BootstrapConfigEntry
  'bootstrap.configs.put': BootstrapConfigEntry
  'bootstrap.configs.delete': { deleted: boolean }
  'bootstrap.configs.import': { imported: BootstrapConfigEntry[]; problems: string[] }
  'bootstrap.runs.list': { runs: BootstrapRunDto[] }
  'bootstrap.configs.check': BootstrapConfigReview
  'bootstrap.configs.rename': BootstrapConfigEntry
  'system.overview': SystemOverview
  'simulator.start': { fleetId: string; endpoints: string[] }
  'simulator.stop': { stopped: boolean }
  'simulator.list': { fleets: FleetDto[] }
  'simulator.profiles': { profiles: ProfileInfo[] }
  'simulator.device': SimulatedDeviceDto
  'simulator.set': { endpoint: string; path: string; value: string }
  'simulator.inject': { devices: number; faults: number }
  'simulator.send': { code: string }
  'security.put': CredentialDto
  'security.check': CredentialReview
  /** `unreadable`: stored credentials sealed with another key (e.g. the desktop app's keyring), with the reason. */
  'security.list': { credentials: CredentialDto[]; total: number; unreadable: string[] }
  'security.delete': { deleted: boolean }
  'security.handshakes': HandshakesPage
  'serial.ports': { ports: SerialPortDto[]; open: OpenSerialPortDto[] }
  'serial.open': OpenSerialPortDto
  'serial.close': { closed: boolean }
  'serial.control': { path: string; dtr?: boolean; rts?: boolean }
  'serial.write': { bytes: number }
  'serial.console': SerialConsolePage
  'serial.provision': SerialProvisionResult
  'cards.readers': CardReadersDto
  'cards.readBootstrap': CardBootstrapDto
  'cards.writeBootstrap': CardWriteDto
  'cards.apdu': CardApduDto
  'cards.records': { records: CardWriteRecordDto[] }
  'capture.list': CapturePage
  'capture.get': CaptureFrameDetail
  'capture.import': CaptureImportResult
  'capture.export': { frames: number; bytes: number }
  'capture.clear': CaptureStatusDto
  'capture.settings.get': CaptureSettingsDto & CaptureStatusDto
  'capture.settings.set': CaptureSettingsDto & CaptureStatusDto
}

export type Method = keyof typeof METHOD_PARAMS
export type Params<M extends Method> = Infer<(typeof METHOD_PARAMS)[M]>
export type Result<M extends Method> = MethodResults[M]

export const METHODS = Object.keys(METHOD_PARAMS) as Method[]

/** Methods that send one request to a device and take `requestId` and `timeoutMs` (issue 12 items 1–3). */
export const DEVICE_REQUEST_METHODS: readonly Method[] = [
  'devices.read',
  'devices.readComposite',
  'devices.writeComposite',
  'devices.observeComposite',
  'devices.discover',
  'devices.write',
  'devices.writeAttributes',
  'devices.execute',
  'devices.create',
  'devices.delete',
  'devices.observe'
]

export function isMethod(name: string): name is Method {
  return Object.prototype.hasOwnProperty.call(METHOD_PARAMS, name)
}
