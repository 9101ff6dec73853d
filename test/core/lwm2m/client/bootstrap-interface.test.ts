// The Bootstrap interface as the client carries it out (C §6.1, T Tbl 6.4.2-1; facts §3.1):
// Bootstrap-Write, -Delete, -Read, -Discover, -Finish, and the Bootstrap-Pack (1.2, Opt-01).
import { describe, expect, it } from 'vitest'
import { applyPack, bootstrapAccount, handleBootstrap, serverAccounts } from '../../../../src-main/core/lwm2m/client/bootstrap-interface'
import { Code } from '../../../../src-main/core/lwm2m/client/client-request'
import { ObjectTree } from '../../../../src-main/core/lwm2m/client/object-tree'
import { CF } from '../../../../src-main/core/lwm2m/content-format'
import { decodePayload } from '../../../../src-main/core/lwm2m/formats/all'
import { bool, context, data, decode, deviceTree, float, int, models, opaque, p, rec, req, security, server, str, text, withBody } from './fixtures'

/** A factory state: the BS account /0/0, /3/0, a sensor; no server account yet. */
function fresh(): ObjectTree {
  const t = deviceTree()
  t.putInstance(0, 0, security('coap://bs.example', null))
  t.putInstance(3303, 0, data({ 5700: float(20) }))
  return t
}

function run(t: ObjectTree, r: ReturnType<typeof req>, version: '1.0' | '1.1' | '1.2' = '1.2') {
  let finished = 0
  const res = handleBootstrap(r, context(t, { ssid: 0, version }), () => void finished++)
  return { ...res, finished }
}

/** A server account for SSID 101 as a BS would write it. */
const account = (sec: number, srv: number, ssid = 101) => [
  rec(`/0/${sec}/0`, str(`coap://server${ssid}`)), rec(`/0/${sec}/1`, bool(false)), rec(`/0/${sec}/2`, int(3)),
  rec(`/0/${sec}/3`, opaque()), rec(`/0/${sec}/4`, opaque()), rec(`/0/${sec}/5`, opaque()), rec(`/0/${sec}/10`, int(ssid)),
  rec(`/1/${srv}/0`, int(ssid)), rec(`/1/${srv}/1`, int(300)), rec(`/1/${srv}/6`, bool(true)), rec(`/1/${srv}/7`, str('U'))
]

describe('Bootstrap-Write (T Tbl 6.4.2-1)', () => {
  it('object level: writes the instances it carries, creating them, although /0 resources are not writable by DM', () => {
    const t = fresh()
    const r = run(t, withBody('PUT', '/0', CF.TLV, account(1, 0).filter((x) => x.path[0] === 0)))
    expect(r.code).toBe(Code.CHANGED)
    expect(t.value(0, 1, 0)).toEqual(str('coap://server101'))
    expect(t.value(0, 0, 0)).toEqual(str('coap://bs.example'))
  })

  it('instance level creates the instance; resource level overwrites one value (creating the instance when needed)', () => {
    const t = fresh()
    expect(run(t, withBody('PUT', '/1/0', CF.SENML_CBOR, account(1, 0).filter((x) => x.path[0] === 1))).code).toBe(Code.CHANGED)
    expect(t.value(1, 0, 1)).toEqual(int(300))
    expect(run(t, req('PUT', '/1/0/1', { contentFormat: CF.TEXT, payload: text('600') })).code).toBe(Code.CHANGED)
    expect(t.value(1, 0, 1)).toEqual(int(600))
    expect(t.value(1, 0, 7)).toEqual(str('U'))
    expect(run(t, req('PUT', '/0/4/0', { contentFormat: CF.TEXT, payload: text('coap://x') })).code).toBe(Code.CHANGED)
    expect(t.value(0, 4, 0)).toEqual(str('coap://x'))
    // Read-only for DM, writable for the BS (/1/x/0 Short Server ID).
    expect(run(t, req('PUT', '/1/0/0', { contentFormat: CF.TEXT, payload: text('202') })).code).toBe(Code.CHANGED)
    expect(t.value(1, 0, 0)).toEqual(int(202))
  })

  it('4.00 for records outside the target path, 4.05 for the root', () => {
    const t = fresh()
    expect(run(t, withBody('PUT', '/1/0', CF.SENML_JSON, [rec('/1/1/1', int(5))])).code).toBe(Code.BAD_REQUEST)
    expect(run(t, withBody('PUT', '/', CF.SENML_JSON, [rec('/1/1/1', int(5))])).code).toBe(Code.METHOD_NOT_ALLOWED)
  })
})

describe('Bootstrap-Delete', () => {
  function configured(): ObjectTree {
    const t = fresh()
    handleBootstrap(withBody('PUT', '/0', CF.TLV, account(1, 0).filter((x) => x.path[0] === 0)), context(t, { ssid: 0 }), () => undefined)
    handleBootstrap(withBody('PUT', '/1', CF.TLV, account(1, 0).filter((x) => x.path[0] === 1)), context(t, { ssid: 0 }), () => undefined)
    t.putInstance(3, 1, data({ 0: str('x') }))
    return t
  }

  it('"/" deletes everything but the Bootstrap-Server account and /3/0', () => {
    const t = configured()
    expect(run(t, req('DELETE', '/')).code).toBe(Code.DELETED)
    expect(t.instanceIds(0)).toEqual([0])
    expect(bootstrapAccount(t)).toBe(0)
    expect(t.instanceIds(1)).toEqual([])
    expect(t.instanceIds(3)).toEqual([0])
    expect(t.instanceIds(3303)).toEqual([])
  })

  it('"/0" spares the BS account; "/0/1" also removes the /1 instance it paired with', () => {
    const t = configured()
    expect(run(t, req('DELETE', '/0')).code).toBe(Code.DELETED)
    expect(t.instanceIds(0)).toEqual([0])
    const t2 = configured()
    expect(run(t2, req('DELETE', '/0/1')).code).toBe(Code.DELETED)
    expect(t2.instanceIds(0)).toEqual([0])
    expect(t2.instanceIds(1)).toEqual([])
    expect(run(t2, req('DELETE', '/0/0')).code).toBe(Code.DELETED)
    expect(bootstrapAccount(t2)).toBe(0)
  })
})

describe('Bootstrap-Read (1.2: /1 or /2 only)', () => {
  it('reads /1 and /2; any other object is 4.05; a missing instance 4.04', () => {
    const t = deviceTree([{ ssid: 101 }])
    t.putInstance(2, 0, data({ 0: int(3), 1: int(0), 3: int(101) }))
    const r = run(t, req('GET', '/1/0', { accept: CF.SENML_JSON }))
    expect(r).toMatchObject({ code: Code.CONTENT, contentFormat: CF.SENML_JSON })
    const recs = decodePayload(CF.SENML_JSON, r.payload as Uint8Array, { path: p('/1/0'), models }).records
    expect(recs).toContainEqual({ path: [1, 0, 0], value: int(101) })
    expect(run(t, req('GET', '/2')).code).toBe(Code.CONTENT)
    expect(run(t, req('GET', '/3/0')).code).toBe(Code.METHOD_NOT_ALLOWED)
    expect(run(t, req('GET', '/0')).code).toBe(Code.METHOD_NOT_ALLOWED)
    expect(run(t, req('GET', '/1/9')).code).toBe(Code.NOT_FOUND)
  })
})

describe('Bootstrap-Discover (1.1+)', () => {
  it('</>;lwm2m=1.2 first; /0 instances with ssid and uri, none on the BS account; /1 instances with ssid', () => {
    const t = fresh()
    t.putInstance(0, 1, security('coap://s1.example:5683', 101))
    t.putInstance(1, 0, server(101))
    const r = run(t, req('GET', '/', { accept: CF.LINK }))
    expect(r).toMatchObject({ code: Code.CONTENT, contentFormat: CF.LINK })
    const body = decode(r.payload)
    expect(body.startsWith('</>;lwm2m=1.2,')).toBe(true)
    expect(body).toContain('</0/0>,')
    expect(body).toContain('</0/1>;ssid=101;uri="coap://s1.example:5683"')
    expect(body).toContain('</1/0>;ssid=101')
    expect(body).toContain('</3/0>')
  })

  it('on one object: no root link; 1.0 has no Bootstrap-Discover (4.05)', () => {
    const t = fresh()
    expect(decode(run(t, req('GET', '/3303', { accept: CF.LINK })).payload)).toBe('</3303>;ver=1.1,</3303/0>')
    expect(run(t, req('GET', '/', { accept: CF.LINK }), '1.0').code).toBe(Code.METHOD_NOT_ALLOWED)
  })
})

describe('Bootstrap-Finish (4.06 on an inconsistent configuration)', () => {
  it('2.04 and finish when a server account exists', () => {
    const t = fresh()
    run(t, withBody('PUT', '/0/1', CF.TLV, account(1, 0).filter((x) => x.path[0] === 0)))
    run(t, withBody('PUT', '/1/0', CF.TLV, account(1, 0).filter((x) => x.path[0] === 1)))
    const r = run(t, req('POST', '/'))
    expect(r.code).toBe(Code.CHANGED)
    expect(r.finished).toBe(1)
    expect(serverAccounts(t).map((a) => a.ssid)).toEqual([101])
  })

  it('4.06 without a server account, with a /1 instance lacking its /0, with two BS accounts', () => {
    const none = run(fresh(), req('POST', '/'))
    expect(none.code).toBe(Code.NOT_ACCEPTABLE)
    expect(none.finished).toBe(0)
    const orphan = fresh()
    run(orphan, withBody('PUT', '/0/1', CF.TLV, account(1, 0).filter((x) => x.path[0] === 0)))
    run(orphan, withBody('PUT', '/1/0', CF.TLV, account(1, 0).filter((x) => x.path[0] === 1)))
    run(orphan, withBody('PUT', '/1/1', CF.TLV, account(9, 1, 202).filter((x) => x.path[0] === 1)))
    expect(decode(run(orphan, req('POST', '/')).payload)).toContain('/1/1')
    expect(run(orphan, req('POST', '/')).code).toBe(Code.NOT_ACCEPTABLE)
    const twoBs = fresh()
    run(twoBs, withBody('PUT', '/0', CF.TLV, account(1, 0).filter((x) => x.path[0] === 0)))
    run(twoBs, withBody('PUT', '/1/0', CF.TLV, account(1, 0).filter((x) => x.path[0] === 1)))
    twoBs.putInstance(0, 2, security('coap://bs2', null))
    expect(run(twoBs, req('POST', '/')).code).toBe(Code.NOT_ACCEPTABLE)
  })
})

describe('Bootstrap-Pack (1.2, Opt-01)', () => {
  it('replaces every instance of the objects it carries (not the BS account, not /3/0) and leaves other objects', () => {
    const t = fresh()
    t.putInstance(0, 5, security('coap://old', 55))
    t.putInstance(1, 5, server(55))
    expect(applyPack(t, account(1, 0))).toBeNull()
    expect(t.instanceIds(0)).toEqual([0, 1])
    expect(t.instanceIds(1)).toEqual([0])
    expect(t.instanceIds(3303)).toEqual([0])
    expect(serverAccounts(t).map((a) => a.uri)).toEqual(['coap://server101'])
  })

  it('an inconsistent Pack changes nothing and says why', () => {
    const t = fresh()
    t.putInstance(0, 5, security('coap://old', 55))
    t.putInstance(1, 5, server(55))
    const before = JSON.stringify(t.records([]), (_k, v: unknown) => (v instanceof Uint8Array ? [...v] : v))
    const problem = applyPack(t, account(1, 0).filter((x) => x.path[0] === 1))
    expect(problem).toContain('no matching /0')
    expect(JSON.stringify(t.records([]), (_k, v: unknown) => (v instanceof Uint8Array ? [...v] : v))).toBe(before)
    expect(serverAccounts(t).map((a) => a.ssid)).toEqual([55])
  })
})
