// SPDX-License-Identifier: Apache-2.0
// The success code each LwM2M operation's response carries (Transport §6), by the operation's name
// as the specification writes it. The server checks device answers against it; the inspector
// flags captured ones.
const C = (cls: number, detail: number): number => cls * 32 + detail

export const SUCCESS_CODES: Readonly<Record<string, number>> = {
  Register: C(2, 1),
  Update: C(2, 4),
  'De-register': C(2, 2),
  'Bootstrap-Request': C(2, 4),
  'Bootstrap-Pack-Request': C(2, 5),
  'Bootstrap-Discover': C(2, 5),
  'Bootstrap-Read': C(2, 5),
  'Bootstrap-Write': C(2, 4),
  'Bootstrap-Delete': C(2, 2),
  'Bootstrap-Finish': C(2, 4),
  Read: C(2, 5),
  'Read-Composite': C(2, 5),
  Discover: C(2, 5),
  Write: C(2, 4),
  'Write-Composite': C(2, 4),
  'Write-Attributes': C(2, 4),
  Execute: C(2, 4),
  Create: C(2, 1),
  Delete: C(2, 2),
  Observe: C(2, 5),
  'Observe-Composite': C(2, 5),
  'Cancel Observation': C(2, 5),
  Notify: C(2, 5),
  Send: C(2, 4)
}
