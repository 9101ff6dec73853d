// SPDX-License-Identifier: Apache-2.0
// libcoap's coap-client as an independent peer (DESIGN.md "independent CoAP/DTLS peers"): it
// sends real datagrams to a UDP socket this test opens on 127.0.0.1; every captured datagram
// must decode with zero violations, and our encoded answers must satisfy coap-client.
import { spawn, spawnSync } from 'node:child_process'
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encodeBlock, parseBlock } from '../../src-main/core/coap/block'
import { decodeMessage, encodeMessage } from '../../src-main/core/coap/codec'
import {
  Method,
  Option,
  Response,
  type CoapMessage,
  type CoapOption
} from '../../src-main/core/coap/message'
import { getOption, uintOption, uriPath, uriQuery } from '../../src-main/core/coap/options'
import { ascii } from '../core/coap/helpers'

// Debian's libcoap3-bin installs coap-client (and the -notls/-openssl/-gnutls builds it links to).
function findClient(): string | null {
  const names = ['coap-client', 'coap-client-notls', 'coap-client-openssl', 'coap-client-gnutls']
  for (const name of names) {
    const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' })
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim()
  }
  return null
}
const client = findClient()

/** A 300-byte body: not a multiple of 64, so the last block is short. */
const BIG = ascii('0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_'.repeat(5))
  .subarray(0, 300)

/** Answers like a tiny server, built only on the codec: piggybacked ACKs, Block1 and Block2. */
class Peer {
  readonly received: Uint8Array[] = []
  readonly uploaded: number[] = []
  private socket: Socket | null = null
  port = 0

  async start(): Promise<void> {
    const s = createSocket('udp4')
    this.socket = s
    s.on('message', (msg: Buffer, rinfo: RemoteInfo) => this.onMessage(new Uint8Array(msg), rinfo))
    await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve))
    this.port = s.address().port
  }

  stop(): void {
    this.socket?.close()
  }

  private onMessage(bytes: Uint8Array, rinfo: RemoteInfo): void {
    this.received.push(bytes)
    const r = decodeMessage(bytes)
    // Anything unclean stays unanswered; the test reports its violations.
    if (r.message === null || r.reject !== null || r.message.type !== 'CON') return
    const m = r.message
    // Piggybacked response (RFC 7252 §5.2.1): ACK with the request's MID and token.
    const { messageId, token } = m
    const out = encodeMessage({ ...this.answer(m), type: 'ACK', messageId, token })
    this.socket!.send(out, rinfo.port, rinfo.address)
  }

  private answer(m: CoapMessage): Pick<CoapMessage, 'code' | 'options' | 'payload'> {
    const block1 = getOption(m, Option.BLOCK1)
    if (block1 !== null) {
      const b = parseBlock(block1.value)!
      for (const byte of m.payload) this.uploaded.push(byte)
      // RFC 7959 §2.5 atomic: 2.31 Continue echoing NUM with M = 1 until the last block.
      return {
        code: b.more ? Response.CONTINUE : Response.CHANGED,
        options: [{ number: Option.BLOCK1, value: encodeBlock(b) }],
        payload: new Uint8Array(0)
      }
    }
    if (uriPath(m).join('/') === 'big') {
      const ctl = getOption(m, Option.BLOCK2)
      const b = ctl === null ? { num: 0, szx: 2, size: 64 } : parseBlock(ctl.value)!
      const start = b.num * b.size
      const more = start + b.size < BIG.length
      const options: CoapOption[] = [
        { number: Option.BLOCK2, value: encodeBlock({ num: b.num, more, szx: b.szx }) }
      ]
      return { code: Response.CONTENT, options, payload: BIG.subarray(start, start + b.size) }
    }
    return { code: Response.CONTENT, options: [], payload: ascii('hello') }
  }
}

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // -B bounds how long a confused client waits; no timing is asserted.
    const p = spawn(client!, ['-B', '10', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    p.on('error', reject)
    p.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

const skipReason = 'coap-client (Debian libcoap3-bin) is not installed'

const title = `RFC 7252 §3 interop with ${client ?? `coap-client (skipped: ${skipReason})`}`

describe.skipIf(client === null)(title, () => {
  const peer = new Peer()
  beforeAll(() => peer.start())
  afterAll(() => peer.stop())

  function expectClean(from: number): CoapMessage[] {
    const got = peer.received.slice(from)
    expect(got.length).toBeGreaterThan(0)
    return got.map((bytes) => {
      const r = decodeMessage(bytes)
      expect(r.violations).toEqual([])
      expect(r.reject).toBeNull()
      // libcoap names the non-default port (RFC 7252 §6.4 step 7): a 2-byte uint.
      expect(uintOption(r.message!, Option.URI_PORT)).toBe(peer.port)
      return r.message!
    })
  }

  it('GET coap://127.0.0.1:<port>/rd?x=1: CON GET, Uri-Path rd, Uri-Query x=1', async () => {
    const from = peer.received.length
    const r = await run(['-m', 'get', `coap://127.0.0.1:${peer.port}/rd?x=1`])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('hello')
    const [m] = expectClean(from)
    expect(m!.type).toBe('CON')
    expect(m!.code).toBe(Method.GET)
    expect(uriPath(m!)).toEqual(['rd'])
    expect(uriQuery(m!)).toEqual(['x=1'])
  })

  it('POST with -e payload carries the payload after the marker', async () => {
    const from = peer.received.length
    const uri = `coap://127.0.0.1:${peer.port}/rd`
    const r = await run(['-m', 'post', '-e', 'ep=dev1 payload', uri])
    expect(r.code).toBe(0)
    const [m] = expectClean(from)
    expect(m!.code).toBe(Method.POST)
    expect(new TextDecoder().decode(m!.payload)).toBe('ep=dev1 payload')
  })

  it('PUT of 300 bytes with -b 64: Block1 blocks (RFC 7959 §2.5) we reassemble', async () => {
    const from = peer.received.length
    peer.uploaded.length = 0
    const body = new TextDecoder().decode(BIG)
    const r = await run(['-m', 'put', '-b', '64', '-e', body, `coap://127.0.0.1:${peer.port}/up`])
    expect(r.code).toBe(0)
    const ms = expectClean(from)
    const blocks = ms.map((m) => parseBlock(getOption(m, Option.BLOCK1)!.value)!)
    expect(blocks.map((b) => b.num)).toEqual([0, 1, 2, 3, 4])
    expect(blocks.map((b) => b.more)).toEqual([true, true, true, true, false])
    expect(blocks.every((b) => b.size === 64)).toBe(true)
    expect(new TextDecoder().decode(Uint8Array.from(peer.uploaded))).toBe(body)
    // Size1 gives the body size (RFC 7959 §4); one Request-Tag for the whole body (RFC 9175 §3).
    expect(ms.map((m) => uintOption(m, Option.SIZE1))).toEqual([300, 300, 300, 300, 300])
    const tag = (m: CoapMessage) => Array.from(getOption(m, Option.REQUEST_TAG)?.value ?? []).join()
    const tags = new Set(ms.map(tag))
    expect(tags.size).toBe(1)
  })

  it('GET with -b 64 of a 300-byte resource: Block2 requests, our blocks reassemble', async () => {
    const from = peer.received.length
    const r = await run(['-m', 'get', '-b', '64', `coap://127.0.0.1:${peer.port}/big`])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(new TextDecoder().decode(BIG))
    const ms = expectClean(from)
    const nums = ms.map((m) => {
      const b2 = getOption(m, Option.BLOCK2)
      return b2 === null ? 0 : parseBlock(b2.value)!.num
    })
    expect(nums).toEqual([0, 1, 2, 3, 4])
  })
})
