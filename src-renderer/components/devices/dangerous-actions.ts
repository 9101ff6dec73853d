// SPDX-License-Identifier: Apache-2.0
// The actions a technician must confirm (issue 13 item 1), as data: what to match and what it does
// to the device, so the confirmation can say it in plain words. Kept free of imports so unit tests
// and any view can use it.

export interface DangerRule {
  readonly operation: 'Execute' | 'Delete'
  /** Path segments; '*' matches any one segment. */
  readonly path: readonly string[]
  /** The action's name, as the confirm button says it. */
  readonly action: string
  /** What happens to the device, for the confirmation text. */
  readonly effect: string
}

export const DANGER_RULES: readonly DangerRule[] = [
  { operation: 'Execute', path: ['3', '0', '4'], action: 'Reboot', effect: 'The device restarts. It drops its observations and is unreachable until it registers again.' },
  { operation: 'Execute', path: ['3', '0', '5'], action: 'Factory Reset', effect: 'The device erases its configuration and data. It may need bootstrapping again before it can register.' },
  { operation: 'Execute', path: ['5', '0', '2'], action: 'Update firmware', effect: 'The device installs the downloaded firmware image and restarts. A bad image can leave it unusable.' },
  { operation: 'Execute', path: ['1', '*', '9'], action: 'Bootstrap-Request', effect: 'The device drops this registration and asks its Bootstrap Server for a new configuration.' },
  { operation: 'Execute', path: ['1', '*', '4'], action: 'Disable', effect: 'The device de-registers from this server and stays away for its Disable Timeout.' },
  { operation: 'Delete', path: ['*', '*'], action: 'Delete instance', effect: 'The device removes the instance and every resource in it. Only a Create can bring it back.' }
]

/** "/dev1/3/0/4" (gateway prefix) and "/3/0/4" both give ["3","0","4"]. */
function segments(path: string): string[] {
  const parts = path.split('/').filter(Boolean)
  return parts.length && !/^\d+$/.test(parts[0] as string) ? parts.slice(1) : parts
}

export function dangerFor(operation: string, path: string): DangerRule | null {
  const s = segments(path)
  return DANGER_RULES.find((r) => r.operation === operation && r.path.length === s.length && r.path.every((p, i) => p === '*' || p === s[i])) ?? null
}

/** "Reboot dev1 (/3/0/4)?" — names the action, the device and the path. */
export function confirmTitle(rule: DangerRule, endpoint: string, path: string): string {
  return `${rule.action} ${endpoint} (${path})?`
}
