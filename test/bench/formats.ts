// SPDX-License-Identifier: Apache-2.0
// Throughput of the LwM2M content-format codecs on one realistic payload: the whole Device
// object /3/0 plus 1000 temperature readings /3303/0..999/5700 (1000+ records).
//
// How it runs: `npx node test/bench/run.mjs formats` (Node 24: run.mjs loads TypeScript from
// source through module hooks; tsx is not installed and vite 8 ships rolldown, not esbuild, so no
// bundling step). Wire `npm run bench -- formats` to that.
//
// What it prints: decode and encode throughput (MB/s of payload and records/s, medians) per
// format, each also as a ratio to a floor measured in the same run on the same bytes: for CBOR
// formats the raw cbor-x decode/encode of the SenML CBOR pack (a generic decoder that checks
// nothing), for JSON JSON.parse/JSON.stringify of the SenML JSON text (which, unlike ours, starts
// from a string, not bytes). Our decoders produce typed, checked records, so ratios below 1 are
// the price of strictness. The ratio is the median over rounds of (ours / floor) in the same
// round. Goals tracked here (issue 12): SenML CBOR, LwM2M CBOR and SenML JSON strict decode each
// at ≥ 0.5 of its floor, in every run.
import { decode as cborxDecode, encode as cborxEncode } from 'cbor-x'
import type { ContentCodec } from '../../src-main/core/lwm2m/codec'
import type { Lwm2mRecord } from '../../src-main/core/lwm2m/record'
import { lwm2mCborCodec } from '../../src-main/core/lwm2m/formats/lwm2m-cbor'
import { tlvCodec } from '../../src-main/core/lwm2m/formats/tlv'
import { senmlCborCodec } from '../../src-main/core/lwm2m/formats/senml-cbor'
import { senmlJsonCodec } from '../../src-main/core/lwm2m/formats/senml-json'
import { MODELS } from '../core/lwm2m/formats/senml-models'
import { paired } from './paired'

const SENSORS = 1000

function payload(): Lwm2mRecord[] {
  const s = (v: string) => ({ type: 'string' as const, value: v })
  const i = (v: number) => ({ type: 'integer' as const, value: v })
  const records: Lwm2mRecord[] = [
    { path: [3, 0, 0], value: s('Open Mobile Alliance') },
    { path: [3, 0, 1], value: s('Lightweight M2M Client') },
    { path: [3, 0, 2], value: s('345000123') },
    { path: [3, 0, 3], value: s('1.0.4-rc2') },
    { path: [3, 0, 6, 0], value: i(1) },
    { path: [3, 0, 6, 1], value: i(5) },
    { path: [3, 0, 7, 0], value: i(3800) },
    { path: [3, 0, 7, 1], value: i(5000) },
    { path: [3, 0, 9], value: i(100) },
    { path: [3, 0, 11, 0], value: i(0) },
    { path: [3, 0, 13], value: { type: 'time', value: 1_700_000_000 } },
    { path: [3, 0, 14], value: s('+02:00') },
    { path: [3, 0, 16], value: s('UQ') },
    { path: [3, 0, 18], value: s('HW-2.1') },
    { path: [3, 0, 22, 0], value: { type: 'objlnk', value: { objectId: 10, instanceId: 0 } } }
  ]
  for (let n = 0; n < SENSORS; n++) {
    records.push({ path: [3303, n, 5700], value: { type: 'float', value: 20 + ((n * 37) % 1000) / 100 + 0.001 } })
  }
  return records
}

interface Row {
  name: string
  op: 'decode' | 'encode'
  bytes: number
  ops: number
  floor: number
  ratio: number
  floorName: string
  count: number
}

const records = payload()
const ctx = { models: MODELS }
// TLV is rooted at the request path (C §7.5.5) and cannot carry /3 and /3303 in one payload: it is
// measured on the /3303 part (a Read of /3303), with its floor measured on that same part.
const tlvRecords = records.filter((r) => r.path[0] === 3303)
const formats: { name: string; codec: ContentCodec | undefined; floor: 'cbor' | 'json'; records?: Lwm2mRecord[]; ctx?: object }[] = [
  { name: 'SenML JSON (110)', codec: senmlJsonCodec, floor: 'json' },
  { name: 'SenML CBOR (112)', codec: senmlCborCodec, floor: 'cbor' },
  { name: 'LwM2M CBOR (11544)', codec: lwm2mCborCodec, floor: 'cbor' },
  { name: 'TLV (11542) /3303', codec: tlvCodec, floor: 'cbor', records: tlvRecords, ctx: { models: MODELS, path: [3303] } }
]

const senmlCbor = senmlCborCodec.encode(records, ctx)
const senmlJson = senmlJsonCodec.encode(records, ctx)
const jsonText = new TextDecoder().decode(senmlJson)
const plainCbor = cborxDecode(senmlCbor) as unknown
const plainJson = JSON.parse(jsonText) as unknown
const floorFns = {
  cbor: { decode: () => cborxDecode(senmlCbor), encode: () => cborxEncode(plainCbor), name: 'cbor-x' },
  json: { decode: () => JSON.parse(jsonText), encode: () => JSON.stringify(plainJson), name: 'JSON' }
}
const floors = { cbor: { decode: 0, encode: 0 }, json: { decode: 0, encode: 0 } }

const rows: Row[] = []
for (const f of formats) {
  if (f.codec === undefined) continue
  const codec = f.codec
  const recs = f.records ?? records
  const c = (f.ctx ?? ctx) as typeof ctx
  const bytes = codec.encode(recs, c)
  const check = codec.decode(bytes, c)
  if (check.records.length !== recs.length || check.violations.length > 0) {
    throw new Error(`${f.name}: round trip gave ${check.records.length} records, ${check.violations.length} violations`)
  }
  let floor = floorFns[f.floor]
  if (f.records) {
    // The floor on the same subset: raw cbor-x over its SenML CBOR bytes.
    const subset = senmlCborCodec.encode(recs, ctx)
    const plain = cborxDecode(subset) as unknown
    floor = { decode: () => cborxDecode(subset), encode: () => cborxEncode(plain), name: 'cbor-x (same records)' }
  }
  for (const op of ['decode', 'encode'] as const) {
    const ours = op === 'decode' ? () => codec.decode(bytes, c) : () => codec.encode(recs, c)
    const m = paired(ours, floor[op])
    if (!f.records) floors[f.floor][op] = Math.max(floors[f.floor][op], m.b)
    rows.push({ name: f.name, op, bytes: bytes.length, ops: m.a, floor: m.b, ratio: m.ratio, floorName: floor.name, count: recs.length })
  }
}

const pad = (s: string, n: number) => s.padEnd(n)
console.log(`payload: ${records.length} records (Device /3/0 + ${SENSORS} × /3303/i/5700); SenML CBOR ${senmlCbor.length} B, SenML JSON ${senmlJson.length} B`)
console.log(`floors (median slice): cbor-x decode ${(floors.cbor.decode * senmlCbor.length / 1e6).toFixed(1)} MB/s, encode ${(floors.cbor.encode * senmlCbor.length / 1e6).toFixed(1)} MB/s; ` +
  `JSON.parse ${(floors.json.decode * senmlJson.length / 1e6).toFixed(1)} MB/s, JSON.stringify ${(floors.json.encode * senmlJson.length / 1e6).toFixed(1)} MB/s`)
console.log(pad('format', 20) + pad('op', 8) + pad('bytes', 8) + pad('MB/s', 9) + pad('records/s', 13) + 'ratio to floor (median of paired rounds)')
for (const r of rows) {
  console.log(
    pad(r.name, 20) + pad(r.op, 8) + pad(String(r.bytes), 8) + pad(((r.ops * r.bytes) / 1e6).toFixed(1), 9) +
      pad(((r.ops * r.count) / 1e6).toFixed(2) + 'M', 13) + `${r.ratio.toFixed(2)} × ${r.floorName} ${r.op}`
  )
}
for (const f of formats) if (f.codec === undefined) console.log(pad(f.name, 20) + '(slot: codec not wired yet)')
