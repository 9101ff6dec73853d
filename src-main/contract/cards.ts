// SPDX-License-Identifier: Apache-2.0
// Smart cards over PC/SC (cards.*): readers, the LwM2M bootstrap file on a UICC (LwM2M Core
// App. G, letters per 1.1.1, unverified for 1.2), the provisioning record, and raw APDUs.
import type { Json } from './schema'

export interface CardReaderDto {
  readonly name: string
  readonly present: boolean
  /** The card's ATR, hex, when a card is present. */
  readonly atr: string | null
  readonly inUse: boolean
}

export interface CardReadersDto {
  /** False when PC/SC cannot be reached; `detail` says why and what to do. */
  readonly available: boolean
  readonly detail: string
  readonly readers: CardReaderDto[]
}

/** One APDU exchange; the data of VERIFY and UPDATE BINARY is masked ("**" per byte). */
export interface ApduLogEntryDto {
  readonly command: string
  readonly name: string
  readonly purpose: string
  readonly response: string
  readonly sw: string
  readonly meaning: string
}

export interface CardDataObjectDto {
  readonly kind: string
  readonly label: string | null
  readonly applicationName: string | null
  readonly private: boolean
  readonly oid: string | null
  readonly oidEncoding: string | null
  readonly path: string | null
}

/** A DER node of the card's PKCS#15 files, for the tree view. */
export interface DerNodeDto {
  readonly tag: string
  readonly offset: number
  readonly length: number
  /** Value hex for primitive nodes. */
  readonly value: string | null
  readonly children: DerNodeDto[]
}

export interface CardViolationDto {
  readonly offset: number
  readonly rule: string
  readonly message: string
}

export interface CardBootstrapDto {
  readonly reader: string
  readonly atr: string
  readonly protocol: string
  readonly iccid: string | null
  readonly aid: string
  readonly aidSource: string
  readonly applications: { aid: string; label: string | null }[]
  readonly odf: DerNodeDto[]
  readonly dodf: DerNodeDto[]
  readonly dataObjects: CardDataObjectDto[]
  readonly filePath: string
  readonly fileSize: number
  /** Bytes of data before the FF padding (header + objects as the header states them). */
  readonly dataSize: number
  readonly objects: { objectId: number; version: string | null; length: number }[]
  /** The decoded records ({path, type, value}); secret keys (/0/x/5) show as "(secret, N bytes)". */
  readonly records: CardRecordDto[]
  readonly violations: CardViolationDto[]
  /** With `endpoint`: the stored configuration's records, encoded and decoded the same way. */
  readonly stored: CardRecordDto[] | null
  /** With `endpoint`: every path whose value differs between card and stored configuration. */
  readonly differences: { path: string; card: Json | null; stored: Json | null }[] | null
  readonly log: ApduLogEntryDto[]
}

export interface CardRecordDto {
  readonly path: string
  readonly type: string
  readonly value: Json
}

export type CardFileState = 'valid' | 'invalid' | 'unchanged' | 'unknown'

export interface CardWriteRecordDto {
  readonly id: string
  readonly at: string
  readonly reader: string
  readonly atr: string
  readonly iccid: string | null
  readonly endpoint: string
  /** SHA-256 of the stored configuration's JSON. */
  readonly configHash: string
  readonly outcome: 'written' | 'failed'
  /** What the card's bootstrap file holds after the attempt. */
  readonly fileState: CardFileState
  readonly detail: string
  readonly bytes: number
}

export interface CardWriteDto {
  readonly record: CardWriteRecordDto
  readonly log: ApduLogEntryDto[]
}

export interface CardApduDto {
  readonly command: string
  readonly response: string
  readonly sw: string
  readonly meaning: string
  /** Every APDU that went, GET RESPONSE and 6Cxx retries included. */
  readonly exchanges: { command: string; response: string }[]
}
