// SPDX-License-Identifier: Apache-2.0
// The object-model library behind models.*: shipped models plus the user's DDF folders (setting
// models.folders). Loaded on first use and reloaded when the folders change.
import { existsSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { ServiceError } from '../contract/errors'
import type { ModelDetail, ModelFoldersResult, ModelProblem, ModelsOverview, ObjectSummary } from '../contract/models'
import type { ResourceModel } from '../core/lwm2m/model'
import type { ModelRegistry } from '../core/lwm2m/model/model-registry'
import type { EventHub } from './event-hub'
import { loadModelLibrary } from './model-library'
import type { SettingsService } from './settings-service'

export class ModelService {
  #loading: Promise<{ registry: ModelRegistry; problems: ModelProblem[] }> | null = null
  /** Set while addFolder/removeFolder change the setting themselves (they reload anyway). */
  #changingFolders = false

  constructor(
    private readonly shippedFile: string,
    private readonly settings: SettingsService,
    private readonly events: EventHub
  ) {
    // Issue 12 item 17: a folder list set directly (settings.set) applies at once too.
    events.subscribe((name, payload) => {
      if (name === 'settings.changed' && (payload as { key: string }).key === 'models.folders' && !this.#changingFolders) void this.reload().catch(() => undefined)
    })
  }

  private setFolders(folders: string[]): void {
    this.#changingFolders = true
    try {
      this.settings.set('models.folders', folders)
    } finally {
      this.#changingFolders = false
    }
  }

  /** The registry, for other services (decode, devices) that type values by model. */
  async registry(): Promise<ModelRegistry> {
    return (await this.library()).registry
  }

  async list(query?: string): Promise<ModelsOverview> {
    const { registry, problems } = await this.library()
    const q = (query ?? '').trim().toLowerCase()
    // Ranked (issue 13 item 20): the object with exactly this id first, then objects whose name
    // starts with the words, then names containing them, then objects found through a resource
    // name, then through a description (the object's or a resource's).
    const ranked: { rank: number; summary: ObjectSummary }[] = []
    const ids = /^\/?(\d+)(?:\/(?:\d+\/)?(\d+))?$/.exec(q)
    for (const m of registry.list()) {
      const entry = registry.entry(m.id)
      const summary = {
        id: m.id,
        name: m.name,
        version: m.version,
        versions: registry.versions(m.id),
        multiple: m.multiple,
        mandatory: m.mandatory,
        resourceCount: m.resources.length,
        source: entry?.source ?? 'shipped',
        description: m.description ?? ''
      }
      if (q === '') {
        ranked.push({ rank: 0, summary: { ...summary, matchedResources: [] } })
        continue
      }
      const hits = (pred: (r: ResourceModel) => boolean) => m.resources.filter(pred).map((r) => ({ id: r.id, name: r.name }))
      // "3303" or "/3303" finds the object by id; "3303/5700" a resource in it. A bare number is also
      // looked for in names ("3303" may be part of a vendor object's name), ranked after the id.
      if (ids && Number(ids[1]) === m.id) {
        const rid = ids[2] === undefined ? null : Number(ids[2])
        ranked.push({ rank: 0, summary: { ...summary, matchedResources: rid === null ? [] : hits((r) => r.id === rid) } })
        continue
      }
      if (ids && ids[2] !== undefined) continue
      const name = m.name.toLowerCase()
      const resourceHits = hits((r) => r.name.toLowerCase().includes(q))
      let rank = name.startsWith(q) ? 1 : name.includes(q) ? 2 : resourceHits.length > 0 ? 3 : -1
      let matched = resourceHits
      // Descriptions cite other objects by number: a bare number is an id or a name, not prose.
      if (rank < 0 && !ids) {
        const described = hits((r) => (r.description ?? '').toLowerCase().includes(q))
        if ((m.description ?? '').toLowerCase().includes(q) || described.length > 0) {
          rank = 4
          matched = described
        }
      }
      if (rank >= 0) ranked.push({ rank, summary: { ...summary, matchedResources: matched } })
    }
    ranked.sort((a, b) => a.rank - b.rank || a.summary.id - b.summary.id)
    const objects = ranked.map((r) => r.summary)
    return { objects, total: registry.list().length, folders: this.folders(), problems }
  }

  async get(id: number, version?: string): Promise<ModelDetail> {
    const { registry } = await this.library()
    const entry = registry.entry(id, version)
    if (!entry) throw new ServiceError('models.not_found', `no model for object ${id}`, { id })
    if (version !== undefined && entry.model.version !== version)
      throw new ServiceError('models.not_found', `object ${id} has no version ${version}`, {
        id,
        versions: registry.versions(id)
      })
    return { model: entry.model, source: entry.source, versions: registry.versions(id) }
  }

  async addFolder(folder: string): Promise<ModelFoldersResult> {
    const abs = resolve(folder)
    if (!existsSync(abs) || !statSync(abs).isDirectory())
      throw new ServiceError('models.folder_not_found', `${abs} is not a folder`, { folder: abs })
    const folders = this.folders()
    if (!folders.includes(abs)) this.setFolders([...folders, abs])
    return this.reload()
  }

  async removeFolder(folder: string): Promise<ModelFoldersResult> {
    const abs = resolve(folder)
    this.setFolders(this.folders().filter((f) => f !== abs && f !== folder))
    return this.reload()
  }

  async reload(): Promise<ModelFoldersResult> {
    this.#loading = null
    const { registry, problems } = await this.library()
    this.events.emit('models.changed', { total: registry.list().length, problems: problems.length })
    return { folders: this.folders(), total: registry.list().length, problems }
  }

  private folders(): string[] {
    return (this.settings.get(['models.folders'])['models.folders'] ?? []) as string[]
  }

  private library() {
    this.#loading ??= loadModelLibrary({ shippedFile: this.shippedFile, userFolders: this.folders() }).then(
      (lib) => ({ registry: lib.registry, problems: lib.failures.map((f) => ({ file: f.file, reason: f.reason })) })
    )
    return this.#loading
  }
}
