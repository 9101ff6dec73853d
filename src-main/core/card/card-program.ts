// SPDX-License-Identifier: Apache-2.0
// The APDU sequences of LwM2M Core App. G.2 (letters per 1.1.1, unverified for 1.2; facts §4.2)
// as pure programs: each is a generator that yields the next command and is given the card's
// answer, so the transport only moves APDUs and tests can drive a program with plain bytes.
//   EF(DIR) → PKCS#15 AID (or the default) → MANAGE CHANNEL → SELECT ADF → ODF → DODF
//   → LwM2M oidDO → READ BINARY / UPDATE BINARY of EF LwM2M_Bootstrap.
import { claFor, encodeCommand, INS, type CommandApdu, type ResponseApdu } from './apdu'
import { findLwm2mObject, isPkcs15Aid, parseDirRecord, parseDodf, parseFcp, parseOdf, PKCS15_AID, selectPath, type DataObject, type FileControl } from './pkcs15'
import { statusWord, triesLeft } from './status-word'
import type { DerNode } from './der'

export interface CardStep {
  readonly command: Uint8Array
  /** What the command is for, in words (the APDU log shows it). */
  readonly purpose: string
  /** Writes: bytes written so far and in all, for a progress bar. */
  readonly progress?: { readonly done: number; readonly total: number }
  /** The answer carries the bootstrap file (keys): logs show it masked. */
  readonly secretResponse?: boolean
}

export type CardProgram<T> = Generator<CardStep, T, ResponseApdu>

export type CardFailureCode =
  | 'no-application'
  | 'no-lwm2m-object'
  | 'file-too-small'
  | 'adm-wrong'
  | 'adm-blocked'
  | 'adm-last-try'
  | 'pin-required'
  | 'pin-wrong'
  | 'secure-channel-needed'
  | 'card-refused'

/** A plain reason the program stopped, with the status word that said so. */
export class CardFailure extends Error {
  constructor(
    readonly code: CardFailureCode,
    message: string,
    readonly sw: string | null = null,
    readonly triesLeft: number | null = null
  ) {
    super(message)
    this.name = 'CardFailure'
  }
}

const ok = (r: ResponseApdu) => r.sw1 === 0x90 || r.sw1 === 0x91 || r.sw1 === 0x62
const swText = (r: ResponseApdu) => {
  const s = statusWord(r.sw1, r.sw2)
  return `${s.sw.toUpperCase()} "${s.meaning}"`
}

function* send(c: CommandApdu, purpose: string, progress?: CardStep['progress'], secretResponse = false): CardProgram<ResponseApdu> {
  return yield { command: encodeCommand(c), purpose, ...(progress ? { progress } : {}), ...(secretResponse ? { secretResponse } : {}) }
}

function refused(r: ResponseApdu, what: string): CardFailure {
  return new CardFailure('card-refused', `the card refused ${what}: ${swText(r)}`, statusWord(r.sw1, r.sw2).sw)
}

export interface OpenedApplication {
  readonly channel: number
  readonly aid: Uint8Array
  /** Where the AID came from. */
  readonly aidSource: 'EF(DIR)' | 'default'
  readonly applications: readonly { aid: Uint8Array; label: string | null }[]
}

/** Finds the PKCS#15 application in EF(DIR) (else takes the default AID), opens a channel, selects it. */
export function* openApplication(): CardProgram<OpenedApplication> {
  const applications: { aid: Uint8Array; label: string | null }[] = []
  const dir = yield* send({ cla: 0, ins: INS.SELECT, p1: 0x08, p2: 0x04, data: Uint8Array.of(0x2f, 0x00), le: 256 }, 'SELECT EF(DIR) 2F00')
  if (ok(dir)) {
    const fcp = parseFcp(dir.data)
    const count = fcp.recordCount ?? 8
    for (let n = 1; n <= count; n++) {
      const rec = yield* send({ cla: 0, ins: INS.READ_RECORD, p1: n, p2: 0x04, le: fcp.recordLength ?? 256 }, `READ RECORD ${n} of EF(DIR)`)
      if (!ok(rec)) break
      for (const a of parseDirRecord(rec.data).applications) applications.push({ aid: a.aid, label: a.label })
    }
  }
  const found = applications.find((a) => isPkcs15Aid(a.aid))
  const aid = found?.aid ?? PKCS15_AID
  // A logical channel keeps the UICC's telecom application undisturbed (App. G.2); a card without
  // them is used on the basic channel.
  let channel = 0
  const mc = yield* send({ cla: 0, ins: INS.MANAGE_CHANNEL, p1: 0x00, p2: 0x00, le: 1 }, 'MANAGE CHANNEL open')
  if (ok(mc) && mc.data.length === 1) {
    channel = mc.data[0] as number
    if (channel < 1 || channel > 19) throw new CardFailure('card-refused', `the card opened logical channel ${channel}, which is outside 1..19 (ISO/IEC 7816-4 §5.4.1)`)
  }
  const sel = yield* send({ cla: claFor(channel), ins: INS.SELECT, p1: 0x04, p2: 0x04, data: aid, le: 256 }, 'SELECT PKCS#15 application by AID')
  if (sel.sw1 === 0x6a && sel.sw2 === 0x82)
    throw new CardFailure('no-application', 'This card has no PKCS#15 application (SELECT by AID answered 6A82 "file or application not found"), so it holds no LwM2M bootstrap data.', '6a82')
  if (!ok(sel)) throw refused(sel, 'to select the PKCS#15 application')
  return { channel, aid, aidSource: found ? 'EF(DIR)' : 'default', applications }
}

export interface SelectedFile {
  readonly path: Uint8Array
  readonly fcp: FileControl
}

function* selectFile(channel: number, path: Uint8Array, name: string, opts: { private?: boolean } = {}): CardProgram<SelectedFile> {
  const data = selectPath(path)
  const r = yield* send({ cla: claFor(channel), ins: INS.SELECT, p1: 0x08, p2: 0x04, data, le: 256 }, `SELECT ${name}`)
  if (r.sw1 === 0x6a && r.sw2 === 0x82) throw new CardFailure('no-lwm2m-object', `${name} is not on the card (6A82 "file or application not found")`, '6a82')
  if (!ok(r)) throw accessFailure(r, `to select ${name}`, opts.private ?? false)
  return { path: data, fcp: parseFcp(r.data) }
}

function accessFailure(r: ResponseApdu, what: string, isPrivate: boolean): CardFailure {
  if (r.sw1 === 0x69 && (r.sw2 === 0x82 || r.sw2 === 0x87 || r.sw2 === 0x88) && !isPrivate)
    return new CardFailure('secure-channel-needed', `The card refuses plain access ${what} (${swText(r)}): it needs a secure channel (GlobalPlatform SCP03, App. H), which this tool does not offer yet.`, statusWord(r.sw1, r.sw2).sw)
  if (r.sw1 === 0x69 && r.sw2 === 0x82 && isPrivate) return new CardFailure('pin-required', `The card wants the PIN ${what} (${swText(r)}): the DODF marks the LwM2M object private.`, '6982')
  return refused(r, what)
}

/** READ BINARY of the selected EF, `size` bytes in chunks of at most 256 (P1-P2 = offset). */
function* readBinary(channel: number, size: number, name: string, isPrivate = false, secret = false): CardProgram<Uint8Array> {
  const out = new Uint8Array(size)
  let at = 0
  while (at < size) {
    const n = Math.min(256, size - at)
    const r = yield* send({ cla: claFor(channel), ins: INS.READ_BINARY, p1: at >> 8, p2: at & 0xff, le: n }, `READ BINARY ${name} at ${at}`, undefined, secret)
    if (!ok(r)) throw accessFailure(r, `to read ${name}`, isPrivate)
    if (r.data.length === 0) break
    out.set(r.data.subarray(0, size - at), at)
    at += r.data.length
  }
  return out.subarray(0, Math.min(at, size))
}

/** A transparent EF's whole content (size from its FCP; when it states none, 256 bytes). */
function* readFile(channel: number, path: Uint8Array, name: string): CardProgram<Uint8Array> {
  const f = yield* selectFile(channel, path, name)
  return yield* readBinary(channel, f.fcp.size ?? 256, name)
}

export interface Lwm2mLocation {
  readonly odf: Uint8Array
  readonly dodfPath: Uint8Array
  readonly dodf: Uint8Array
  readonly dodfNodes: DerNode[]
  readonly objects: DataObject[]
  readonly object: DataObject
}

/** ODF 5031 → DODF → the LwM2M oidDO. */
export function* locateBootstrapFile(channel: number): CardProgram<Lwm2mLocation> {
  const odf = yield* readFile(channel, Uint8Array.of(0x50, 0x31), 'EF(ODF) 5031')
  const dodfPath = parseOdf(odf).dodfPaths[0] ?? Uint8Array.of(0x64, 0x30)
  const dodf = yield* readFile(channel, dodfPath, `EF(DODF) ${hex(dodfPath)}`)
  const parsed = parseDodf(dodf)
  const object = findLwm2mObject(parsed.objects)
  if (!object) throw new CardFailure('no-lwm2m-object', 'The PKCS#15 application has no LwM2M data object (oidDO 2.23.43.9.1) in its DODF, so the card holds no LwM2M bootstrap file.')
  return { odf, dodfPath, dodf, dodfNodes: parsed.nodes, objects: parsed.objects, object }
}

export interface CardCodes {
  /** 8-byte PIN (reference 01), for an object the DODF marks private. */
  readonly pin?: Uint8Array
}

function* verifyPin(channel: number, pin: Uint8Array | undefined): CardProgram<void> {
  if (!pin) throw new CardFailure('pin-required', 'The DODF marks the LwM2M object private: give the PIN to read or write it.')
  const r = yield* send({ cla: claFor(channel), ins: INS.VERIFY, p1: 0, p2: 0x01, data: pin }, 'VERIFY PIN 01')
  if (ok(r)) return
  const left = triesLeft(r.sw1, r.sw2)
  throw new CardFailure('pin-wrong', `The card did not accept the PIN (${swText(r)}).`, statusWord(r.sw1, r.sw2).sw, left)
}

export interface BootstrapRead {
  readonly opened: OpenedApplication
  readonly location: Lwm2mLocation
  readonly file: SelectedFile
  readonly bytes: Uint8Array
}

function* closeChannel(channel: number): CardProgram<void> {
  if (channel === 0) return
  yield* send({ cla: claFor(channel), ins: INS.MANAGE_CHANNEL, p1: 0x80, p2: channel }, 'MANAGE CHANNEL close')
}

/** Reads EF LwM2M_Bootstrap (all of it: the decoder finds the end of data). */
export function* readBootstrap(codes: CardCodes = {}): CardProgram<BootstrapRead> {
  const opened = yield* openApplication()
  const location = yield* locateBootstrapFile(opened.channel)
  const name = `EF LwM2M_Bootstrap ${hex(location.object.path!)}`
  if (location.object.private) yield* verifyPin(opened.channel, codes.pin)
  const file = yield* selectFile(opened.channel, location.object.path!, name, { private: location.object.private })
  const bytes = yield* readBinary(opened.channel, file.fcp.size ?? 256, name, location.object.private, true)
  yield* closeChannel(opened.channel)
  return { opened, location, file, bytes }
}

export interface WriteOptions extends CardCodes {
  /** 8-byte ADM key (reference 0A). */
  readonly adm: Uint8Array
  /** Go on although only one ADM try is left (a wrong key then blocks the card). */
  readonly allowLastTry?: boolean
  /** Bytes per UPDATE BINARY (at most 255). */
  readonly chunk?: number
}

export interface BootstrapWrite extends BootstrapRead {
  /** The image written: the encoded file padded with FF to the file's size. */
  readonly written: Uint8Array
  /** Offset of the first byte that differs on read-back, or null when it matches. */
  readonly mismatchAt: number | null
  readonly admTriesBefore: number | null
}

/**
 * Writes `content` into EF LwM2M_Bootstrap and reads it back. A torn write must decode as
 * invalid: the 4-byte header is zeroed first (num_objects 0, total_size 0), the body and FF
 * padding follow, the real header goes last.
 */
export function* writeBootstrap(content: Uint8Array, opts: WriteOptions): CardProgram<BootstrapWrite> {
  const opened = yield* openApplication()
  const ch = opened.channel
  const location = yield* locateBootstrapFile(ch)
  const name = `EF LwM2M_Bootstrap ${hex(location.object.path!)}`
  const file = yield* selectFile(ch, location.object.path!, name, { private: location.object.private })
  const size = file.fcp.size ?? content.length
  if (content.length > size)
    throw new CardFailure('file-too-small', `The bootstrap data takes ${content.length} bytes, but ${name} on this card holds only ${size}.`)
  if (content.length < 4) throw new RangeError('the bootstrap file content needs at least its 4-byte header')

  // Tries left, from VERIFY without data (ISO/IEC 7816-4 §11.5.6): answered 63Cx, or 9000 when already verified.
  const status = yield* send({ cla: claFor(ch), ins: INS.VERIFY, p1: 0, p2: 0x0a }, 'VERIFY ADM 0A (tries left)')
  const before = ok(status) ? null : triesLeft(status.sw1, status.sw2)
  if (status.sw1 === 0x69 && status.sw2 === 0x83) throw new CardFailure('adm-blocked', 'The ADM key of this card is blocked (6983): no tries are left.', '6983', 0)
  if (before === 1 && !opts.allowLastTry)
    throw new CardFailure('adm-last-try', 'Only one ADM try is left: a wrong key now blocks the card for good. Check the key, then allow the last try explicitly.', statusWord(status.sw1, status.sw2).sw, 1)
  const v = yield* send({ cla: claFor(ch), ins: INS.VERIFY, p1: 0, p2: 0x0a, data: opts.adm }, 'VERIFY ADM 0A')
  if (!ok(v)) {
    const left = triesLeft(v.sw1, v.sw2)
    if (v.sw1 === 0x69 && v.sw2 === 0x83) throw new CardFailure('adm-blocked', 'The card refused the ADM key and is now blocked (6983).', '6983', 0)
    if (left !== null) throw new CardFailure('adm-wrong', `The card refused the ADM key: ${left} ${left === 1 ? 'try' : 'tries'} left.`, statusWord(v.sw1, v.sw2).sw, left)
    throw refused(v, 'the ADM key')
  }
  if (location.object.private) yield* verifyPin(ch, opts.pin)

  const image = new Uint8Array(size).fill(0xff)
  image.set(content)
  const chunk = Math.min(255, Math.max(1, opts.chunk ?? 240))
  const total = size
  let done = 0
  const update = function* (offset: number, data: Uint8Array, purpose: string): CardProgram<void> {
    const r = yield* send({ cla: claFor(ch), ins: INS.UPDATE_BINARY, p1: offset >> 8, p2: offset & 0xff, data }, purpose, { done, total })
    if (!ok(r)) throw accessFailure(r, `to update ${name}`, location.object.private)
  }
  yield* update(0, new Uint8Array(4), 'UPDATE BINARY header zeroed (a torn write then reads as empty)')
  for (let at = 4; at < size; at += chunk) {
    const part = image.subarray(at, Math.min(size, at + chunk))
    yield* update(at, part, `UPDATE BINARY ${name} at ${at}`)
    done = at + part.length - 4
  }
  yield* update(0, image.subarray(0, 4), 'UPDATE BINARY header, last')
  done = total
  const back = yield* readBinary(ch, size, name, location.object.private, true)
  yield* closeChannel(ch)
  let mismatchAt: number | null = null
  for (let i = 0; i < size; i++) {
    if (back[i] !== image[i]) {
      mismatchAt = i
      break
    }
  }
  return { opened, location, file, bytes: back, written: image, mismatchAt, admTriesBefore: before }
}

/** EF ICCID 2FE2 under the MF, on the basic channel: digits, or null when the card will not say. */
export function* readIccid(): CardProgram<string | null> {
  const s = yield* send({ cla: 0, ins: INS.SELECT, p1: 0x08, p2: 0x04, data: Uint8Array.of(0x2f, 0xe2), le: 256 }, 'SELECT EF ICCID 2FE2')
  if (!ok(s)) return null
  const r = yield* send({ cla: 0, ins: INS.READ_BINARY, p1: 0, p2: 0, le: 10 }, 'READ BINARY EF ICCID')
  if (!ok(r)) return null
  return decodeIccid(r.data)
}

/** BCD with swapped nibbles, F as filler (ETSI TS 102 221 §13.2). */
export function decodeIccid(bytes: Uint8Array): string | null {
  let s = ''
  for (const b of bytes) {
    for (const nib of [b & 0x0f, b >> 4]) {
      if (nib === 0x0f) return s || null
      if (nib > 9) return null
      s += String(nib)
    }
  }
  return s || null
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0').toUpperCase()).join('')
}

