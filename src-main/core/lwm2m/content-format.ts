// SPDX-License-Identifier: Apache-2.0
// CoAP Content-Format numbers used by LwM2M (C §7.5, facts §2.1), with the CLI names.
export type ContentFormat = number

export const CF = {
  TEXT: 0,
  LINK: 40,
  OPAQUE: 42,
  CBOR: 60,
  SENML_JSON: 110,
  SENML_CBOR: 112,
  SENML_ETCH_JSON: 320,
  SENML_ETCH_CBOR: 322,
  TLV: 11542,
  LWM2M_JSON: 11543,
  LWM2M_CBOR: 11544
} as const

/** Pre-IANA numbers some old clients still send; accepted on input, never written. */
export const LEGACY_CF: Readonly<Record<number, ContentFormat>> = {
  1541: CF.TEXT,
  1542: CF.TLV,
  1543: CF.LWM2M_JSON,
  1544: CF.OPAQUE
}

export const FORMAT_NAMES: Readonly<Record<string, ContentFormat>> = {
  text: CF.TEXT,
  link: CF.LINK,
  opaque: CF.OPAQUE,
  cbor: CF.CBOR,
  'senml-json': CF.SENML_JSON,
  'senml-cbor': CF.SENML_CBOR,
  'senml-etch-json': CF.SENML_ETCH_JSON,
  'senml-etch-cbor': CF.SENML_ETCH_CBOR,
  tlv: CF.TLV,
  'lwm2m-json': CF.LWM2M_JSON,
  'lwm2m-cbor': CF.LWM2M_CBOR
}

export function formatName(cf: ContentFormat): string | null {
  for (const [name, n] of Object.entries(FORMAT_NAMES)) if (n === cf) return name
  return null
}

/** Resolves a CLI name or a number (legacy numbers map to their standard one). */
export function resolveFormat(nameOrNumber: string | number): ContentFormat | null {
  if (typeof nameOrNumber === 'string' && nameOrNumber in FORMAT_NAMES) return FORMAT_NAMES[nameOrNumber] as ContentFormat
  const n = typeof nameOrNumber === 'number' ? nameOrNumber : /^[0-9]+$/.test(nameOrNumber) ? Number(nameOrNumber) : NaN
  if (Number.isNaN(n)) return null
  if (n in LEGACY_CF) return LEGACY_CF[n] as ContentFormat
  return Object.values(FORMAT_NAMES).includes(n) ? n : null
}
