// SPDX-License-Identifier: Apache-2.0
// The packet inspector's DTOs (issue 16): rows of the packet list, an opened frame with its field
// tree and bytes, capture settings.
import type { DtlsSessionReport } from '../core/inspect/dtls-decryptor'

/** One row of the packet list. */
export interface CaptureFrameDto {
  readonly id: number
  /** Milliseconds since the Unix epoch. */
  readonly at: number
  readonly direction: 'in' | 'out' | 'none'
  readonly transport: string
  readonly src: string
  readonly dst: string
  readonly endpoint: string | null
  /** LwM2M operation word (the filter's op= vocabulary), or null. */
  readonly op: string | null
  /** "2.05", "GET" style code text, or null when the frame is no CoAP message. */
  readonly code: string | null
  readonly summary: string
  readonly size: number
  /** Round trip from the request, in ms (responses and ACKs), or null. */
  readonly rtt: number | null
  readonly retransmission: boolean
  readonly notification: boolean
  /** The other frame of the exchange, or null. */
  readonly pair: number | null
}

export interface CaptureFieldDto {
  readonly label: string
  readonly value?: string
  readonly start: number
  readonly end: number
  readonly source?: 'wire' | 'plain'
  readonly children?: readonly CaptureFieldDto[]
  readonly problem?: { readonly rule: string; readonly section: string; readonly message: string }
}

export interface CaptureFrameDetail {
  readonly frame: CaptureFrameDto
  readonly fields: readonly CaptureFieldDto[]
  /** The bytes on the wire, hex. */
  readonly bytes: string
  /** DTLS plaintext, hex, when known. */
  readonly plaintext?: string
  /** DTLS record metadata and session (epoch, seq, cid, identity), when the transport gave them. */
  readonly dtls?: { readonly epoch?: number; readonly seq?: number; readonly cid?: string; readonly identity?: string }
}

export interface CapturePage {
  readonly frames: readonly CaptureFrameDto[]
  /** Pass as `cursor` for the next window; null at the end. */
  readonly next: number | null
  /** Frames in the capture before the filter (a datagram both ends of which are ours counts once). */
  readonly total: number
  /**
   * How many frames the filter matched; null while a slow filter (text~ decodes every frame) has
   * not been through the whole capture yet: ask again and it goes on where it stopped.
   */
  readonly matched: number | null
  readonly firstId: number
  readonly lastId: number
}

export interface CaptureSettingsDto {
  /** Budget of the live capture in MiB; the oldest frames go past it. */
  readonly maxMegabytes: number
  readonly paused: boolean
  /** UDP ports read as CoAP (or DTLS) in imported files. */
  readonly coapPorts: readonly number[]
  /** CID length for tls12_cid records of captures that start after the handshake (0: none). */
  readonly cidLength: number
}

export interface CaptureStatusDto {
  readonly total: number
  readonly dropped: number
  readonly bytes: number
  readonly paused: boolean
}

/** One DTLS session of an imported file and whether its records could be decrypted: the decryptor's own report. */
export type CaptureDtlsSessionDto = DtlsSessionReport

export interface CaptureImportResult {
  readonly frames: number
  readonly packets: number
  readonly skipped: number
  readonly firstId: number | null
  readonly lastId: number | null
  readonly stop: { readonly offset: number; readonly message: string } | null
  /** DTLS sessions in the file: how many were decrypted, and each one with the reason when not (at most 1000 listed). */
  readonly dtls: { readonly sessions: number; readonly decrypted: number; readonly list: readonly CaptureDtlsSessionDto[] }
}
