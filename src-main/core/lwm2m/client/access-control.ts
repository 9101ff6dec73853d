// SPDX-License-Identifier: Apache-2.0
// Access control as a client applies it (C §8.2, facts §3.3 and §5.2): which operations a server
// (by Short Server ID) may carry out on an object instance, from the Object 2 instances.
import type { InstanceId, ObjectId, ShortServerId } from '../ids'
import { isMultiple, type ObjectTree } from './object-tree'

export const Right = { READ: 1, WRITE: 2, EXECUTE: 4, DELETE: 8, CREATE: 16 } as const
export type Right = (typeof Right)[keyof typeof Right]

const ACO = 2
/** Object 2 resource 1 holding 65535 grants Create on the object (C §8.2). */
const OBJECT_LEVEL = 65535
/** Objects no LwM2M Server may ever reach through DM or reporting (facts §3.3): 4.01. */
export const SECURITY_OBJECTS: ReadonlySet<ObjectId> = new Set([0, 21, 23])

/**
 * Servers the client knows (Object 1 instances). C §8.2: with a single server, or without any
 * Object 2 instance, access control is not in force and that server has every right.
 */
export function accessControlActive(tree: ObjectTree): boolean {
  return tree.instanceIds(1).length > 1 && tree.instanceIds(ACO).length > 0
}

function integer(tree: ObjectTree, iid: InstanceId, rid: number): number | null {
  const v = tree.value(ACO, iid, rid)
  return v && (v.type === 'integer' || v.type === 'unsigned') ? Number(v.value) : null
}

/** The Object 2 instance that governs (object, instance), if any. */
export function aclInstance(tree: ObjectTree, objectId: ObjectId, instanceId: InstanceId): InstanceId | null {
  for (const iid of tree.instanceIds(ACO)) {
    if (integer(tree, iid, 0) === objectId && integer(tree, iid, 1) === instanceId) return iid
  }
  return null
}

/** The rights bits (R=1 W=2 E=4 D=8 C=16) `ssid` holds on an instance, or on the object for Create. */
export function rightsOf(tree: ObjectTree, ssid: ShortServerId, objectId: ObjectId, instanceId: InstanceId | typeof OBJECT_LEVEL): number {
  if (!accessControlActive(tree)) return 31
  const aco = aclInstance(tree, objectId, instanceId)
  if (aco === null) return 0
  const acl = tree.instance(ACO, aco)?.get(2)
  if (acl !== undefined && isMultiple(acl)) {
    const own = acl.get(ssid)
    if (own && (own.type === 'integer' || own.type === 'unsigned')) return Number(own.value) & 31
    // C §8.2: resource instance 0 is the default for servers without their own entry.
    const fallback = acl.get(0)
    if (fallback && (fallback.type === 'integer' || fallback.type === 'unsigned') && instanceId !== OBJECT_LEVEL) {
      return Number(fallback.value) & 31
    }
  }
  // The owner of an instance without an ACL entry for itself has every right but Create there.
  return integer(tree, aco, 3) === ssid ? 15 : 0
}

export function allowed(tree: ObjectTree, ssid: ShortServerId, objectId: ObjectId, instanceId: InstanceId, right: Right): boolean {
  return (rightsOf(tree, ssid, objectId, instanceId) & right) !== 0
}

export function mayCreate(tree: ObjectTree, ssid: ShortServerId, objectId: ObjectId): boolean {
  return (rightsOf(tree, ssid, objectId, OBJECT_LEVEL) & Right.CREATE) !== 0
}

/**
 * C §8.2: an instance a server creates while access control is in force gets its own Object 2
 * instance, owned by that server (which, without an ACL entry, holds every right but Create).
 * Without it nobody, not even the creator, could reach the new instance.
 */
export function recordCreator(tree: ObjectTree, ssid: ShortServerId, objectId: ObjectId, instanceId: InstanceId): void {
  if (!accessControlActive(tree) || aclInstance(tree, objectId, instanceId) !== null) return
  const iid = tree.freeInstanceId(ACO)
  if (iid === null) return
  const int = (value: number) => ({ type: 'integer' as const, value })
  tree.putInstance(ACO, iid, new Map([[0, int(objectId)], [1, int(instanceId)], [3, int(ssid)]]))
}

/** C §8.2: the Object 2 instance of a deleted instance goes with it. */
export function dropAcl(tree: ObjectTree, objectId: ObjectId, instanceId: InstanceId): void {
  const aco = aclInstance(tree, objectId, instanceId)
  if (aco !== null) tree.deleteInstance(ACO, aco)
}
