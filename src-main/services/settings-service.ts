// SPDX-License-Identifier: Apache-2.0
import { ServiceError } from '../contract/errors'
import { isSettingKey, SETTING_KEYS, SETTINGS, type SettingKey, type Settings } from '../contract/settings'
import { validate, type Json } from '../contract/schema'
import type { SettingsStore } from '../store/settings-store'
import type { EventHub } from './event-hub'

export class SettingsService {
  constructor(
    private readonly store: SettingsStore,
    private readonly events: EventHub,
    private readonly now: () => Date = () => new Date()
  ) {}

  /** Current values (stored or default) of `keys`, or of every known key. */
  get(keys?: readonly string[]): Partial<Settings> {
    const wanted = keys ?? SETTING_KEYS
    const unknown = wanted.filter((k) => !isSettingKey(k))
    if (unknown.length > 0)
      throw new ServiceError('settings.unknown_key', `unknown setting ${unknown.join(', ')}`, {
        unknown,
        known: SETTING_KEYS
      })
    const stored = this.store.all()
    const out: Record<string, unknown> = {}
    for (const k of wanted as SettingKey[]) {
      const v = stored.get(k)
      // A stored value that no longer fits the schema (an older build wrote it) falls back to the default.
      out[k] = v !== undefined && validate(SETTINGS[k].schema, v).length === 0 ? v : SETTINGS[k].default
    }
    return out as Partial<Settings>
  }

  set(key: string, value: Json): { key: string; value: Json } {
    if (!isSettingKey(key))
      throw new ServiceError('settings.unknown_key', `unknown setting ${key}`, { known: SETTING_KEYS })
    const issues = validate(SETTINGS[key].schema, value)
    if (issues.length > 0)
      throw new ServiceError(
        'settings.invalid_value',
        `invalid value for ${key}: expected ${SETTINGS[key].schema.describe}`,
        { issues }
      )
    this.store.put(key, value, this.now())
    this.events.emit('settings.changed', { key, value })
    return { key, value }
  }
}
