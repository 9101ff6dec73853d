// SPDX-License-Identifier: Apache-2.0
// Notification attributes a server attached with Write-Attributes (C §7.3), per server and path.
// Observations read the effective set: the resource's own, else the instance's, else the
// object's (inheritance, C §7.3.2), then the server's defaults (/1/x/2 pmin, /1/x/3 pmax).
import { NOTIFICATION_ATTRIBUTES, type NotificationAttributeName, type NotificationAttributes } from '../attributes'
import type { ShortServerId } from '../ids'
import { formatPath, type Path } from '../path'

type Mutable = { -readonly [K in NotificationAttributeName]?: number | null }

export class AttributeStore {
  private readonly byServer = new Map<ShortServerId, Map<string, Mutable>>()

  /** Applies a Write-Attributes: numbers set, null (a valueless name) unsets at that level. */
  write(ssid: ShortServerId, path: Path, attrs: NotificationAttributes): void {
    let paths = this.byServer.get(ssid)
    if (!paths) this.byServer.set(ssid, (paths = new Map()))
    const key = formatPath(path)
    const current: Mutable = { ...paths.get(key) }
    for (const name of NOTIFICATION_ATTRIBUTES) {
      const v = attrs[name]
      if (v === undefined) continue
      if (v === null) delete current[name]
      else current[name] = v
    }
    if (Object.keys(current).length === 0) paths.delete(key)
    else paths.set(key, current)
  }

  /** What is attached at exactly `path` (for Discover). */
  attached(ssid: ShortServerId, path: Path): NotificationAttributes {
    return this.byServer.get(ssid)?.get(formatPath(path)) ?? {}
  }

  /** Attached here or inherited from above (object → instance → resource → resource instance). */
  effective(ssid: ShortServerId, path: Path): NotificationAttributes {
    const out: Mutable = {}
    for (let depth = 1; depth <= path.length; depth++) {
      Object.assign(out, this.attached(ssid, path.slice(0, depth) as unknown as Path))
    }
    return out
  }

  /** Forgets a server's attributes (its account was removed). */
  dropServer(ssid: ShortServerId): void {
    this.byServer.delete(ssid)
  }

  /** Forgets attributes on `path` and below (the instance was deleted). */
  dropPath(path: Path): void {
    const prefix = formatPath(path)
    for (const paths of this.byServer.values()) {
      for (const key of [...paths.keys()]) if (key === prefix || key.startsWith(prefix + '/')) paths.delete(key)
    }
  }
}
