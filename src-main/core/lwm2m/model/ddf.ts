// SPDX-License-Identifier: Apache-2.0
// OMA DDF XML (LWM2M.xsd / LWM2M-v1_1.xsd) to ObjectModel: ids, names, versions, operations,
// multiplicity, types, ranges, units, and the descriptions people read when they look a model up.
// Total: every problem becomes a message naming the object and resource, nothing throws.
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import type { ObjectModel, Operations, ResourceModel } from '../model'
import type { ResourceType } from '../value'

export interface DdfParse {
  /** Objects that parsed cleanly; an object with any error is left out whole. */
  readonly models: ObjectModel[]
  /** Why an object (or the document) was refused. */
  readonly errors: string[]
  /** Defects that did not stop the import (the model keeps what the file states). */
  readonly warnings: string[]
}

/** DDF <Type> text to the LwM2M data type (C App. C Tbl C-1); empty is an executable's "none". */
const TYPES: Readonly<Record<string, ResourceType>> = {
  String: 'string',
  Integer: 'integer',
  'Unsigned Integer': 'unsigned',
  Float: 'float',
  Boolean: 'boolean',
  Opaque: 'opaque',
  Time: 'time',
  Objlnk: 'objlnk',
  Corelnk: 'corelnk',
  '': 'none'
}

const OPERATIONS: readonly string[] = ['', 'R', 'W', 'RW', 'E']
const ID = /^(0|[1-9][0-9]{0,4})$/
const VERSION = /^[0-9]+\.[0-9]+$/

// Object and Item repeat; forcing arrays keeps "one" and "many" the same shape.
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => name === 'Object' || name === 'Item'
})

type Node = Record<string, unknown>

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** Text of a child element: undefined when absent, an Error-like string when not plain text. */
/** Description text for people, whitespace folded; a malformed one is just left out (never an error). */
function prose(node: Node, tag: string): string {
  const t = text(node, tag)
  return t.value === undefined ? '' : t.value.replace(/\s+/g, ' ')
}

function text(node: Node, tag: string): { value?: string; problem?: string } {
  const v = node[tag]
  if (v === undefined) return {}
  if (typeof v === 'string') return { value: v.trim() }
  if (typeof v === 'number' || typeof v === 'boolean') return { value: String(v) }
  if (Array.isArray(v)) return { problem: `<${tag}> appears ${v.length} times` }
  // An element with attributes or comments keeps its text in #text (absent when empty).
  if (isNode(v)) {
    const t = v['#text']
    if (t === undefined) return { value: '' }
    if (typeof t === 'string' || typeof t === 'number') return { value: String(t).trim() }
  }
  return { problem: `<${tag}> is not plain text` }
}

/** Parses one DDF document; a file normally holds one <Object>, several are tolerated. */
export function parseDdf(xml: string): DdfParse {
  const errors: string[] = []
  const warnings: string[] = []
  const models: ObjectModel[] = []
  let doc: unknown
  // The library is third-party code: whatever it throws becomes a reason, never an exception.
  try {
    const valid = XMLValidator.validate(xml)
    if (valid !== true) {
      const e = valid.err
      const reason = `not well-formed XML at line ${e.line}, column ${e.col}: ${e.msg}`
      return { models, errors: [reason], warnings }
    }
    doc = parser.parse(xml)
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e)
    return { models, errors: [`XML parser refused the document: ${why}`], warnings }
  }
  const root = isNode(doc) && isNode(doc['LWM2M']) ? doc['LWM2M'] : doc
  const objects = isNode(root) ? root['Object'] : undefined
  if (!Array.isArray(objects) || objects.length === 0) {
    return { models, errors: ['no <LWM2M><Object> element: not an object definition file'], warnings }
  }
  objects.forEach((o, index) => {
    const r = parseObject(o, index)
    errors.push(...r.errors)
    warnings.push(...r.warnings)
    if (r.model) models.push(r.model)
  })
  return { models, errors, warnings }
}

interface ObjectParse {
  readonly model?: ObjectModel
  readonly errors: string[]
  readonly warnings: string[]
}

function parseObject(o: unknown, index: number): ObjectParse {
  const errors: string[] = []
  const warnings: string[] = []
  if (!isNode(o)) return { errors: [`<Object> #${index + 1} is empty`], warnings }
  const idText = text(o, 'ObjectID')
  const named = idText.value !== undefined && ID.test(idText.value)
  const label = named ? `Object ${idText.value}` : `<Object> #${index + 1}`
  const fail = (m: string): void => void errors.push(`${label}: ${m}`)

  let id = -1
  if (idText.problem) fail(idText.problem)
  else if (idText.value === undefined) fail('missing <ObjectID>')
  else if (named && Number(idText.value) <= 65534) id = Number(idText.value)
  else fail(`<ObjectID> '${idText.value}' is not an id 0..65534`)

  const name = required(o, 'Name', fail)
  const version = versionOf(o, 'ObjectVersion', fail)
  const lwm2mVersion = versionOf(o, 'LWM2MVersion', fail)
  const urn = text(o, 'ObjectURN')
  if (urn.problem) fail(urn.problem)
  const multiple = choice(o, 'MultipleInstances', 'Multiple', 'Single', fail)
  const mandatory = choice(o, 'Mandatory', 'Mandatory', 'Optional', fail)

  const resources: ResourceModel[] = []
  const container = o['Resources']
  // <Resources/> (an object without resources) parses as an empty string.
  const empty = container === undefined || container === ''
  const items = isNode(container) ? container['Item'] : empty ? [] : null
  if (container === undefined) fail('missing <Resources>')
  if (!Array.isArray(items)) {
    if (container !== undefined) fail('<Resources> holds no <Item> list')
  } else {
    const seen = new Set<number>()
    for (const item of items) {
      const r = parseResource(
        item,
        (m) => void errors.push(`${label} ${m}`),
        (m) => void warnings.push(`${label} ${m}`)
      )
      if (!r) continue
      if (seen.has(r.id)) fail(`resource ${r.id} is defined twice`)
      seen.add(r.id)
      resources.push(r)
    }
  }
  if (errors.length > 0) return { errors, warnings }
  resources.sort((a, b) => a.id - b.id)
  const model: ObjectModel = {
    id,
    name: name as string,
    version: version as string,
    lwm2mVersion: lwm2mVersion as string,
    urn: urn.value ?? '',
    multiple: multiple as boolean,
    mandatory: mandatory as boolean,
    description: prose(o, 'Description1'),
    resources
  }
  return { model, errors, warnings }
}

function parseResource(
  item: unknown,
  fail: (m: string) => void,
  warn: (m: string) => void
): ResourceModel | null {
  if (!isNode(item)) {
    fail('has an empty <Item>')
    return null
  }
  const rawId = item['@_ID']
  if (typeof rawId !== 'string' || !ID.test(rawId.trim()) || Number(rawId) > 65534) {
    fail(`has <Item ID="${String(rawId ?? '')}">, not a resource id 0..65534`)
    return null
  }
  const id = Number(rawId)
  let ok = true
  const rfail = (m: string): void => {
    ok = false
    fail(`resource ${id}: ${m}`)
  }
  const name = required(item, 'Name', rfail)
  const ops = text(item, 'Operations')
  if (ops.problem) rfail(ops.problem)
  else if (ops.value === undefined) rfail('missing <Operations>')
  else if (!OPERATIONS.includes(ops.value)) rfail(`unknown Operations '${ops.value}'`)
  const multiple = choice(item, 'MultipleInstances', 'Multiple', 'Single', rfail)
  const mandatory = choice(item, 'Mandatory', 'Mandatory', 'Optional', rfail)
  const typeText = text(item, 'Type')
  let type: ResourceType = 'none'
  if (typeText.problem) rfail(typeText.problem)
  else if (typeText.value === undefined) rfail('missing <Type>')
  else if (!Object.hasOwn(TYPES, typeText.value)) rfail(`unknown Type '${typeText.value}'`)
  else type = TYPES[typeText.value] as ResourceType
  const range = text(item, 'RangeEnumeration')
  if (range.problem) rfail(range.problem)
  const units = text(item, 'Units')
  if (units.problem) rfail(units.problem)
  if (!ok) return null
  const operations = ops.value as Operations
  // C App. C: only executable resources have no type. Kept as stated, but said aloud.
  if (type === 'none' && operations !== 'E') {
    const ops = `Operations '${operations}'`
    warn(`resource ${id}: empty Type on a non-executable resource (${ops}), taken as 'none'`)
  }
  if (type !== 'none' && operations === 'E') {
    warn(`resource ${id}: executable resource with Type '${typeText.value}'`)
  }
  return {
    id,
    name: name as string,
    operations,
    multiple: multiple as boolean,
    mandatory: mandatory as boolean,
    type,
    range: range.value ?? '',
    units: units.value ?? '',
    description: prose(item, 'Description')
  }
}

function required(node: Node, tag: string, fail: (m: string) => void): string | undefined {
  const t = text(node, tag)
  if (t.problem) fail(t.problem)
  else if (t.value === undefined || t.value === '') fail(`missing <${tag}>`)
  return t.value
}

/** Absent or empty versions mean 1.0 (the oldest DDFs carry none). */
function versionOf(node: Node, tag: string, fail: (m: string) => void): string | undefined {
  const t = text(node, tag)
  if (t.problem) {
    fail(t.problem)
    return undefined
  }
  if (t.value === undefined || t.value === '') return '1.0'
  if (!VERSION.test(t.value)) fail(`<${tag}> '${t.value}' is not a version like 1.0`)
  return t.value
}

function choice(
  node: Node,
  tag: string,
  yes: string,
  no: string,
  fail: (m: string) => void
): boolean | undefined {
  const t = text(node, tag)
  if (t.problem) fail(t.problem)
  else if (t.value === yes) return true
  else if (t.value === no) return false
  else if (t.value === undefined) fail(`missing <${tag}>`)
  else fail(`<${tag}> '${t.value}' is neither ${yes} nor ${no}`)
  return undefined
}
