// SPDX-License-Identifier: Apache-2.0
// Events (`domain.event`) pushed from the main process to every connected UI and client.
import type { Json } from './schema'

export interface EventPayloads {
  'settings.changed': { key: string; value: Json }
  /** The model library was reloaded (folders changed or reload asked). */
  'models.changed': { total: number; problems: number }
}

export type EventName = keyof EventPayloads

export const EVENTS: readonly EventName[] = ['settings.changed', 'models.changed']
