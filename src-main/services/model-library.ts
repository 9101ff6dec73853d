// SPDX-License-Identifier: Apache-2.0
// Loads object models for the app: the shipped resources/models/models.json (generated from the
// OMA registry by scripts/generate-models.ts) plus the user's DDF XML folders. A file that does
// not parse is reported and skipped; everything else still loads.
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { ObjectModel } from '../core/lwm2m/model'
import { parseDdf } from '../core/lwm2m/model/ddf'
import { ModelRegistry } from '../core/lwm2m/model/model-registry'

export interface ModelLoadFailure {
  readonly file: string
  readonly reason: string
}

export interface ModelLibrary {
  readonly registry: ModelRegistry
  readonly failures: ModelLoadFailure[]
}

export interface ModelLibraryOptions {
  /** resources/models/models.json; omitted: no shipped models. */
  readonly shippedFile?: string
  /** Folders searched recursively for *.xml. */
  readonly userFolders?: readonly string[]
}

export async function loadModelLibrary(options: ModelLibraryOptions): Promise<ModelLibrary> {
  const registry = new ModelRegistry()
  const failures: ModelLoadFailure[] = []
  if (options.shippedFile) {
    try {
      const models = JSON.parse(await readFile(options.shippedFile, 'utf8')) as unknown
      if (!Array.isArray(models)) throw new Error('not a JSON array of object models')
      const bad = models.findIndex((m) => !looksLikeModel(m))
      // A damaged shipped file is refused whole: half a model set would mislead silently.
      if (bad >= 0) throw new Error(`entry ${bad} is not an object model`)
      for (const m of models as ObjectModel[]) registry.add(m, 'shipped')
    } catch (e) {
      failures.push({ file: options.shippedFile, reason: (e as Error).message })
    }
  }
  for (const folder of options.userFolders ?? []) {
    let files: string[]
    try {
      files = await xmlFiles(folder)
    } catch (e) {
      failures.push({ file: folder, reason: (e as Error).message })
      continue
    }
    for (const file of files) {
      let xml: string
      try {
        xml = await readFile(file, 'utf8')
      } catch (e) {
        failures.push({ file, reason: (e as Error).message })
        continue
      }
      const r = parseDdf(xml)
      // Objects that parsed still load even when a sibling in the same file did not.
      for (const m of r.models) registry.add(m, 'user')
      if (r.errors.length > 0) failures.push({ file, reason: r.errors.join('; ') })
    }
  }
  return { registry, failures }
}

async function xmlFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true })
  return entries
    .filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.xml'))
    .map((e) => join(e.parentPath, e.name))
    .sort()
}

function looksLikeModel(m: unknown): boolean {
  if (typeof m !== 'object' || m === null) return false
  const o = m as Record<string, unknown>
  return (
    Number.isInteger(o['id']) &&
    typeof o['name'] === 'string' &&
    typeof o['version'] === 'string' &&
    Array.isArray(o['resources'])
  )
}
