// SPDX-License-Identifier: Apache-2.0
// LwM2M identifiers are 16-bit; 65535 (MAX_ID) is reserved (C App. C Tbl C-1).
export type ObjectId = number
export type InstanceId = number
export type ResourceId = number
export type ResourceInstanceId = number
/** Short Server ID, 1..65534. */
export type ShortServerId = number

export const MAX_ID = 65535

/** True for a usable id 0..65534. */
export function isValidId(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n < MAX_ID
}
