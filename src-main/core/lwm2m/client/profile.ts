// SPDX-License-Identifier: Apache-2.0
// A simulated device's profile (docs/simulator-profile.md): which objects and instances it holds
// and with what values, how sensor values change, its LwM2M version and formats, what it refuses
// and which faults it shows. Plain JSON so people can write one; checked by checkProfile.
import type { InstanceId, ObjectId } from '../ids'

/** How a resource's value changes over time (a sensor). Times are in seconds. */
export type Generator =
  /** min..max and back over `periodSeconds`. */
  | { readonly kind: 'sine'; readonly min: number; readonly max: number; readonly periodSeconds: number }
  /** A bounded random walk: each step moves by at most `step`, staying within min..max. */
  | { readonly kind: 'walk'; readonly min: number; readonly max: number; readonly step: number }
  /** A Boolean that flips every `everySeconds`. */
  | { readonly kind: 'toggle'; readonly everySeconds: number }
  /** An integer counting up by `step` every `everySeconds`. */
  | { readonly kind: 'counter'; readonly step: number; readonly everySeconds: number }
  /** The current Unix time (e.g. /3/0/13 Current Time). */
  | { readonly kind: 'clock' }

/**
 * A resource value as a person writes it: typed by the object's model. Opaque is `{ "hex": "…" }`
 * or `{ "base64": "…" }`, Objlnk "3:0", Time a number of seconds, a multiple resource an array
 * (instance ids 0..n-1) or an object keyed by instance id.
 */
export type ProfileScalar = string | number | boolean | { readonly hex: string } | { readonly base64: string }
export type ProfileValue =
  | ProfileScalar
  | readonly ProfileScalar[]
  | { readonly [instanceId: string]: ProfileScalar }
  | { readonly generator: Generator; readonly intervalSeconds?: number }

export interface ProfileInstance {
  readonly id: InstanceId
  /** Keyed by resource id ("5700"). Resources not given are absent (not defaulted). */
  readonly resources: { readonly [resourceId: string]: ProfileValue }
}

export interface ProfileObject {
  readonly id: ObjectId
  /** Object version announced with `ver=` (default: the model's). */
  readonly version?: string
  readonly instances: readonly ProfileInstance[]
}

export type ProfileOperation = 'read' | 'write' | 'execute' | 'create' | 'delete' | 'observe' | 'discover' | 'write-attributes'

/** DMSE-01: what the device refuses, and with which code ("4.05", "4.01", "5.00" …). */
export interface Refusal {
  readonly operation: ProfileOperation
  /** "/3303", "/3303/0", "/3/0/4"; the refusal covers that path and everything below it. */
  readonly path: string
  readonly code: string
}

/** Fault injection (issue 14 item 5). `share` is 0..1 of messages affected. */
export type Fault =
  | { readonly kind: 'drop'; readonly share: number; readonly direction?: 'in' | 'out' | 'both' }
  | { readonly kind: 'delay'; readonly share: number; readonly ms: number }
  /** Answer requests on `path` (and below) with `code`, optionally only for one operation. */
  | { readonly kind: 'error'; readonly path: string; readonly code: string; readonly operation?: ProfileOperation }
  /** Answer with a payload that does not decode (truncated / garbage), on `path` or everywhere. */
  | { readonly kind: 'malformed'; readonly share: number; readonly path?: string }
  /** Stop answering altogether (queue mode and retransmission practice) until the fault is cleared. */
  | { readonly kind: 'silent' }

export type ProfileFormat = 'tlv' | 'senml-json' | 'senml-cbor' | 'lwm2m-cbor'

export interface Profile {
  readonly name: string
  readonly description?: string
  readonly lwm2mVersion?: '1.0' | '1.1' | '1.2'
  /** Preferred format for Reads without Accept and for notifications (default per version). */
  readonly format?: ProfileFormat
  /** Registration lifetime in seconds (/1/x/1), default 300. */
  readonly lifetime?: number
  /** Queue mode (Q): sleep after `awakeSeconds` without traffic (default 93, MAX_TRANSMIT_WAIT). */
  readonly queueMode?: boolean | { readonly awakeSeconds: number }
  /** Objects besides /0 and /1, which come from the command line or bootstrap. /3 gets defaults when absent. */
  readonly objects: readonly ProfileObject[]
  readonly refuse?: readonly Refusal[]
  readonly faults?: readonly Fault[]
}
