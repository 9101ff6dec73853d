// SPDX-License-Identifier: Apache-2.0
// Small hand-built object models for codec tests (subsets of the OMA DDF files, facts §5): the
// model registry is written elsewhere, the codecs only need ModelLookup.
import type { ModelLookup, ObjectModel, ResourceModel } from '../../../../src-main/core/lwm2m/model'
import type { ResourceType } from '../../../../src-main/core/lwm2m/value'

function res(id: number, name: string, type: ResourceType, multiple = false, operations: ResourceModel['operations'] = 'R'): ResourceModel {
  return { id, name, operations, multiple, mandatory: false, type, range: '', units: '' }
}

function obj(id: number, name: string, multiple: boolean, resources: ResourceModel[]): ObjectModel {
  return { id, name, version: '1.0', lwm2mVersion: '1.0', urn: `urn:oma:lwm2m:oma:${id}`, multiple, mandatory: false, resources }
}

export const SERVER = obj(1, 'LwM2M Server', true, [
  res(0, 'Short Server ID', 'integer'),
  res(1, 'Lifetime', 'integer', false, 'RW'),
  res(4, 'Disable', 'none', false, 'E'),
  res(6, 'Notification Storing', 'boolean', false, 'RW'),
  res(7, 'Binding', 'string', false, 'RW'),
  res(8, 'Registration Update Trigger', 'none', false, 'E'),
  res(10, 'APN Link', 'objlnk', false, 'RW'),
  res(12, 'Last Bootstrapped', 'time'),
  res(13, 'Registration Priority Order', 'unsigned'),
  res(16, 'DTLS/TLS Ciphersuite', 'unsigned', true)
])

export const ACCESS_CONTROL = obj(2, 'LwM2M Access Control', true, [
  res(0, 'Object ID', 'integer'),
  res(1, 'Object Instance ID', 'integer'),
  res(2, 'ACL', 'integer', true, 'RW'),
  res(3, 'Access Control Owner', 'integer', false, 'RW')
])

export const DEVICE = obj(3, 'Device', false, [
  res(0, 'Manufacturer', 'string'),
  res(1, 'Model Number', 'string'),
  res(2, 'Serial Number', 'string'),
  res(3, 'Firmware Version', 'string'),
  res(4, 'Reboot', 'none', false, 'E'),
  res(6, 'Available Power Sources', 'integer', true),
  res(7, 'Power Source Voltage', 'integer', true),
  res(9, 'Battery Level', 'integer'),
  res(11, 'Error Code', 'integer', true),
  res(13, 'Current Time', 'time', false, 'RW'),
  res(14, 'UTC Offset', 'string', false, 'RW'),
  res(16, 'Supported Binding and Modes', 'string'),
  res(18, 'Hardware Version', 'string'),
  res(22, 'ExtDevInfo', 'objlnk', true)
])

export const FIRMWARE = obj(5, 'Firmware Update', false, [
  res(0, 'Package', 'opaque', false, 'W'),
  res(1, 'Package URI', 'string', false, 'RW'),
  res(3, 'State', 'integer')
])

export const TEMPERATURE = obj(3303, 'Temperature', true, [
  res(5601, 'Min Measured Value', 'float'),
  res(5700, 'Sensor Value', 'float'),
  res(5701, 'Sensor Units', 'string'),
  res(5750, 'Application Type', 'string', false, 'RW')
])

/** Every test model, plus one with every type for property tests (object 9999). */
export const EVERY_TYPE = obj(9999, 'Every Type', true, [
  res(0, 'String', 'string', false, 'RW'),
  res(1, 'Integer', 'integer', false, 'RW'),
  res(2, 'Unsigned', 'unsigned', false, 'RW'),
  res(3, 'Float', 'float', false, 'RW'),
  res(4, 'Boolean', 'boolean', false, 'RW'),
  res(5, 'Opaque', 'opaque', false, 'RW'),
  res(6, 'Time', 'time', false, 'RW'),
  res(7, 'Objlnk', 'objlnk', false, 'RW'),
  res(8, 'Corelnk', 'corelnk', false, 'RW'),
  res(9, 'None', 'none', false, 'E'),
  res(10, 'Strings', 'string', true, 'RW'),
  res(11, 'Integers', 'integer', true, 'RW'),
  res(12, 'Unsigneds', 'unsigned', true, 'RW'),
  res(13, 'Floats', 'float', true, 'RW'),
  res(14, 'Booleans', 'boolean', true, 'RW'),
  res(15, 'Opaques', 'opaque', true, 'RW'),
  res(16, 'Times', 'time', true, 'RW'),
  res(17, 'Objlnks', 'objlnk', true, 'RW'),
  res(18, 'Corelnks', 'corelnk', true, 'RW')
])

export function lookup(...models: ObjectModel[]): ModelLookup {
  const byId = new Map(models.map((m) => [m.id, m]))
  return { get: (id) => byId.get(id) }
}

export const MODELS = lookup(SERVER, ACCESS_CONTROL, DEVICE, FIRMWARE, TEMPERATURE, EVERY_TYPE)

export function hex(s: string): Uint8Array {
  const clean = s.replace(/[^0-9a-fA-F]/g, '')
  const out = new Uint8Array(clean.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16)
  return out
}

export function toHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
}

export function utf8(s: string): Uint8Array {
  return new TextEncoder().encode(s)
}

export function rules(violations: readonly { rule: string }[]): string[] {
  return violations.map((v) => v.rule)
}
