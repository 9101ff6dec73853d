// SPDX-License-Identifier: Apache-2.0
// Small hand-written object models for codec tests (subsets of the OMA registry definitions),
// plus an object 9000 of our own that holds one resource of every type, single and multiple.
import type { ModelLookup, ObjectModel, ResourceModel } from '../../../../src-main/core/lwm2m/model'
import type { ResourceType } from '../../../../src-main/core/lwm2m/value'

function res(id: number, name: string, type: ResourceType, multiple = false, operations: ResourceModel['operations'] = 'R'): ResourceModel {
  return { id, name, operations, multiple, mandatory: false, type, range: '', units: '' }
}

function obj(id: number, name: string, multiple: boolean, resources: ResourceModel[]): ObjectModel {
  return {
    id, name, version: '1.0', lwm2mVersion: '1.0', urn: `urn:oma:lwm2m:oma:${id}`, multiple, mandatory: false,
    resources: [...resources].sort((a, b) => a.id - b.id)
  }
}

export const SERVER = obj(1, 'LwM2M Server', true, [
  res(0, 'Short Server ID', 'integer'),
  res(1, 'Lifetime', 'integer', false, 'RW'),
  res(6, 'Notification Storing', 'boolean', false, 'RW'),
  res(7, 'Binding', 'string', false, 'RW'),
  res(8, 'Registration Update Trigger', 'none', false, 'E')
])

export const DEVICE = obj(3, 'Device', false, [
  res(0, 'Manufacturer', 'string'),
  res(1, 'Model Number', 'string'),
  res(4, 'Reboot', 'none', false, 'E'),
  res(6, 'Available Power Sources', 'integer', true),
  res(7, 'Power Source Voltage', 'integer', true),
  res(9, 'Battery Level', 'integer'),
  res(11, 'Error Code', 'integer', true),
  res(13, 'Current Time', 'time', false, 'RW'),
  res(16, 'Supported Binding and Modes', 'string')
])

export const TEMPERATURE = obj(3303, 'Temperature', true, [
  res(5700, 'Sensor Value', 'float'),
  res(5701, 'Sensor Units', 'string'),
  res(5750, 'Application Type', 'string', false, 'RW')
])

/** Object 9000: one resource per type, single (id = 10 + n) and multiple (id = 300 + n, 16-bit). */
export const TYPES: readonly ResourceType[] = ['string', 'integer', 'unsigned', 'float', 'boolean', 'opaque', 'time', 'objlnk', 'corelnk']
export const ALL_TYPES = obj(9000, 'All Types', true, [
  ...TYPES.map((t, n) => res(10 + n, `single ${t}`, t, false, 'RW')),
  ...TYPES.map((t, n) => res(300 + n, `multiple ${t}`, t, true, 'RW')),
  res(99, 'execute', 'none', false, 'E')
])

/** Object 66 as in the facts file's objlnk example: resource 0 is an Objlnk. */
export const LINKS = obj(66, 'Links', true, [res(0, 'Link', 'objlnk'), res(1, 'Links', 'objlnk', true)])

export function lookup(...models: ObjectModel[]): ModelLookup {
  const byId = new Map(models.map((m) => [m.id, m]))
  return { get: (id) => byId.get(id) }
}

export const MODELS = lookup(SERVER, DEVICE, TEMPERATURE, ALL_TYPES, LINKS)

export function hex(s: string): Uint8Array {
  const clean = s.replace(/\s+/g, '')
  const out = new Uint8Array(clean.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16)
  return out
}

export function toHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ').toUpperCase()
}
