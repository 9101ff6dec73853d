// SPDX-License-Identifier: Apache-2.0
// Decoding and encoding payloads for people: by format name or number, at a request path, typed
// by the object models. Used by the decode/encode CLI and (later) the inspector and device views.
import { join, resolve } from 'node:path'
import { EncodeError } from '../core/lwm2m/codec'
import { formatName, resolveFormat, type ContentFormat } from '../core/lwm2m/content-format'
import { decodePayload, encodePayload, registeredFormats } from '../core/lwm2m/formats/all'
import { fromJsonRecord, toJsonRecord, type JsonRecord } from '../core/lwm2m/json-record'
import { parseLinkFormat, type Link } from '../core/lwm2m/link-format'
import type { ModelLookup } from '../core/lwm2m/model'
import { formatPath, parsePath, type Path } from '../core/lwm2m/path'
import type { Lwm2mRecord } from '../core/lwm2m/record'
import type { Violation } from '../core/violation'
import { CF } from '../core/lwm2m/content-format'
import { isWarningRule } from '../core/lwm2m/formats/warnings'
import { loadModelLibrary } from './model-library'
import { findResourcesDir } from './resources-dir'

export interface DecodedPayload {
  readonly format: string
  readonly contentFormat: ContentFormat
  readonly records: JsonRecord[]
  /** Each with its severity: a warning accepts the input as it stands (e.g. non-preferred CBOR). */
  readonly violations: readonly (Violation & { severity: 'error' | 'warning' })[]
  /** Every violation found; only the first 100 are listed (issue 12 item 19). */
  readonly violationsTotal: number
  /** Rule → count of the violations not listed; present only when some were left out. */
  readonly violationsOmitted?: Readonly<Record<string, number>>
  /** Link format only: the links with their attributes. */
  readonly links?: readonly { target: string; path?: string; attributes: Link['attributes'] }[]
}

/** True when a listed violation, or one only counted past the limit, is an error (not a warning). */
export function hasErrors(d: DecodedPayload): boolean {
  return d.violations.some((v) => v.severity === 'error') || Object.keys(d.violationsOmitted ?? {}).some((rule) => !isWarningRule(rule))
}

export class FormatError extends Error {
  override name = 'FormatError'
}

/** A format name ("senml-cbor") or number ("112", also legacy 1541–1544). */
export function parseFormat(nameOrNumber: string): ContentFormat {
  const cf = resolveFormat(nameOrNumber)
  if (cf === null)
    throw new FormatError(
      `unknown format "${nameOrNumber}"; use a name (${registeredFormats()
        .map((f) => formatName(f))
        .join(', ')}) or a content-format number`
    )
  return cf
}

export function parseRequestPath(text: string | undefined): Path | undefined {
  if (text === undefined) return undefined
  const p = parsePath(text)
  if (!p.ok) throw new FormatError(`--path: ${p.reason}`)
  return p.path
}

export function decodeForPeople(format: ContentFormat, bytes: Uint8Array, path: Path | undefined, models: ModelLookup): DecodedPayload {
  const r = decodePayload(format, bytes, { path, models })
  const out: DecodedPayload = {
    format: formatName(r.format) ?? String(r.format),
    contentFormat: r.format,
    records: r.records.map(toJsonRecord),
    violations: r.violations.map((v) => ({ ...v, severity: isWarningRule(v.rule) ? ('warning' as const) : ('error' as const) })),
    violationsTotal: r.violationsTotal,
    ...(r.violationsOmitted ? { violationsOmitted: r.violationsOmitted } : {})
  }
  if (r.format === CF.LINK) {
    const links = parseLinkFormat(new TextDecoder().decode(bytes)).links.map((l) => ({
      target: l.target,
      ...(l.path ? { path: formatPath(l.path) } : {}),
      attributes: l.attributes
    }))
    return { ...out, links }
  }
  return out
}

/** Records as JSON (an array, or an object with "records" as decode prints it) → bytes. */
export function encodeForPeople(format: ContentFormat, json: unknown, path: Path | undefined, models: ModelLookup): Uint8Array {
  const list = Array.isArray(json) ? json : (json as { records?: unknown } | null)?.records
  if (!Array.isArray(list)) throw new FormatError('expected a JSON array of records, or {"records": [...]}')
  const records: Lwm2mRecord[] = []
  list.forEach((item, i) => {
    const r = fromJsonRecord(item)
    if (!r.ok) throw new FormatError(`record ${i}: ${r.reason}`)
    records.push(r.record)
  })
  try {
    return encodePayload(format, records, { path, models })
  } catch (e) {
    if (e instanceof EncodeError) throw new FormatError(`${e.message}${e.path ? ` (at ${e.path})` : ''} [${e.rule}]`)
    throw e
  }
}

/** The shipped models plus extra DDF folders (CLI --models); files that do not load are listed. */
export async function loadModels(folders: readonly string[]): Promise<{ models: ModelLookup; failures: { file: string; reason: string }[] }> {
  const lib = await loadModelLibrary({
    shippedFile: join(findResourcesDir(), 'models', 'models.json'),
    userFolders: folders.map((f) => resolve(f))
  })
  return { models: lib.registry, failures: lib.failures }
}
