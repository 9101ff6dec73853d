// The Device Management and Service Enablement interface as the simulated client carries it out
// (C §6.3, T Tbl 6.4.4-1, codes Tbl 6.7-3; facts §3.3), over an ObjectTree typed by the shipped
// models: Read, Discover, Write, Write-Attributes, Execute, Create, Delete, the composites, and
// access control with two servers (C §8.2).
import { describe, expect, it } from 'vitest'
import { aclInstance } from '../../../../src-main/core/lwm2m/client/access-control'
import { AttributeStore } from '../../../../src-main/core/lwm2m/client/attribute-store'
import { Code } from '../../../../src-main/core/lwm2m/client/client-request'
import { handleDm } from '../../../../src-main/core/lwm2m/client/device-management'
import type { ObjectTree } from '../../../../src-main/core/lwm2m/client/object-tree'
import { CF } from '../../../../src-main/core/lwm2m/content-format'
import { decodePayload } from '../../../../src-main/core/lwm2m/formats/all'
import { parseLinkFormat } from '../../../../src-main/core/lwm2m/link-format'
import { bool, context, data, decode, deviceTree, float, int, models, NONE, p, rec, req, str, text, withBody } from './fixtures'

/** /3/0, /3303/0 (a temperature), /3311/0 (a light), with server 101. */
function tree(): ObjectTree {
  const t = deviceTree([{ ssid: 101 }])
  t.putInstance(3303, 0, data({ 5700: float(21.5), 5701: str('Cel'), 5605: NONE }))
  t.putInstance(3311, 0, data({ 5850: bool(true), 5851: int(40), 5701: str('W') }))
  return t
}

const records = (r: { contentFormat?: number; payload?: Uint8Array }, path: string) =>
  decodePayload(r.contentFormat as number, r.payload ?? new Uint8Array(0), { path: p(path), models }).records
const links = (r: { payload?: Uint8Array }) => parseLinkFormat(decode(r.payload)).links.map((l) => [l.target, l.attributes] as const)
const targets = (r: { payload?: Uint8Array }) => links(r).map(([t]) => t)

describe('Read (C §6.3.1)', () => {
  it('a single resource answers as text/plain by default', () => {
    const r = handleDm(req('GET', '/3/0/0'), context(tree()))
    expect(r).toMatchObject({ code: Code.CONTENT, contentFormat: CF.TEXT })
    expect(decode(r.payload)).toBe('ACME')
  })

  it('a resource instance answers as text; a multiple resource in the preferred format', () => {
    const ctx = context(tree())
    expect(decode(handleDm(req('GET', '/3/0/11/0'), ctx).payload)).toBe('0')
    const r = handleDm(req('GET', '/3/0/11'), ctx)
    expect(r.contentFormat).toBe(CF.SENML_CBOR)
    expect(records(r, '/3/0/11')).toEqual([{ path: [3, 0, 11, 0], value: int(0) }])
  })

  it.each([
    ['TLV', CF.TLV],
    ['SenML JSON', CF.SENML_JSON],
    ['SenML CBOR', CF.SENML_CBOR],
    ['LwM2M CBOR', CF.LWM2M_CBOR]
  ])('an instance and an object, in %s when asked with Accept', (_name, cf) => {
    const ctx = context(tree())
    const inst = handleDm(req('GET', '/3303/0', { accept: cf }), ctx)
    expect(inst.contentFormat).toBe(cf)
    expect(records(inst, '/3303/0')).toEqual([
      { path: [3303, 0, 5700], value: float(21.5) },
      { path: [3303, 0, 5701], value: str('Cel') }
    ])
    const obj = handleDm(req('GET', '/3', { accept: cf }), ctx)
    expect(records(obj, '/3').map((x) => x.path.join('/'))).toEqual(['3/0/0', '3/0/1', '3/0/2', '3/0/3', '3/0/9', '3/0/11/0', '3/0/16'])
  })

  it('without Accept a 1.0 client answers above the resource level in TLV', () => {
    const r = handleDm(req('GET', '/3/0'), context(tree(), { version: '1.0', preferredFormat: CF.SENML_JSON }))
    expect(r.contentFormat).toBe(CF.TLV)
  })

  it('4.04 for what does not exist, 4.05 for an executable resource or the root, 4.06 for a format it cannot write', () => {
    const ctx = context(tree())
    expect(handleDm(req('GET', '/3/0/15'), ctx).code).toBe(Code.NOT_FOUND)
    expect(handleDm(req('GET', '/3303/7'), ctx).code).toBe(Code.NOT_FOUND)
    expect(handleDm(req('GET', '/3303/0/5605'), ctx).code).toBe(Code.METHOD_NOT_ALLOWED)
    expect(handleDm(req('GET', '/'), ctx).code).toBe(Code.METHOD_NOT_ALLOWED)
    expect(handleDm(req('GET', '/3/0', { accept: CF.TEXT }), ctx).code).toBe(Code.NOT_ACCEPTABLE)
    expect(handleDm(req('GET', '/3/0/0', { accept: 9999 }), ctx).code).toBe(Code.NOT_ACCEPTABLE)
  })

  it('the Security objects /0, /21, /23 are out of reach of every server: 4.01', () => {
    const ctx = context(tree())
    for (const path of ['/0', '/0/0', '/0/0/0', '/21', '/23/0']) expect(handleDm(req('GET', path), ctx).code, path).toBe(Code.UNAUTHORIZED)
    expect(handleDm(req('GET', '/0', { accept: CF.LINK }), ctx).code).toBe(Code.UNAUTHORIZED)
  })
})

describe('Discover (C §6.3.2, RD-02 depth, Tbl 6.3.2-2 defaults)', () => {
  const discover = (ctx: ReturnType<typeof context>, path: string, q: string[] = []) => handleDm(req('GET', path, { accept: CF.LINK, query: q }), ctx)

  it('object: by default the object (with ver), its instances and resources (depth 2), dim on multiple resources', () => {
    const r = discover(context(tree()), '/3')
    expect(r).toMatchObject({ code: Code.CONTENT, contentFormat: CF.LINK })
    expect(links(r)).toEqual([
      ['/3', { ver: '1.2' }], ['/3/0', {}], ['/3/0/0', {}], ['/3/0/1', {}], ['/3/0/2', {}], ['/3/0/3', {}], ['/3/0/4', {}],
      ['/3/0/9', {}], ['/3/0/11', { dim: 1 }], ['/3/0/16', {}]
    ])
  })

  it('object with depth 0..3', () => {
    const ctx = context(tree())
    expect(targets(discover(ctx, '/3', ['depth=0']))).toEqual(['/3'])
    expect(targets(discover(ctx, '/3', ['depth=1']))).toEqual(['/3', '/3/0'])
    expect(targets(discover(ctx, '/3', ['depth=2']))).not.toContain('/3/0/11/0')
    expect(targets(discover(ctx, '/3', ['depth=3']))).toContain('/3/0/11/0')
  })

  it('instance: by default the instance and its resources (depth 1); depth 0 the instance only; depth 2 adds resource instances', () => {
    const ctx = context(tree())
    expect(targets(discover(ctx, '/3/0'))).toEqual(['/3/0', '/3/0/0', '/3/0/1', '/3/0/2', '/3/0/3', '/3/0/4', '/3/0/9', '/3/0/11', '/3/0/16'])
    expect(targets(discover(ctx, '/3/0', ['depth=0']))).toEqual(['/3/0'])
    expect(targets(discover(ctx, '/3/0', ['depth=2']))).toContain('/3/0/11/0')
  })

  it('resource: by default the resource with dim and its instances (depth 1); depth 0 the resource only', () => {
    const ctx = context(tree())
    expect(links(discover(ctx, '/3/0/11'))).toEqual([['/3/0/11', { dim: 1 }], ['/3/0/11/0', {}]])
    expect(targets(discover(ctx, '/3/0/11', ['depth=0']))).toEqual(['/3/0/11'])
  })

  it('shows the attributes attached with Write-Attributes, on the level they were attached to', () => {
    const ctx = context(tree())
    expect(handleDm(req('PUT', '/3303/0/5700', { query: ['pmin=10', 'gt=25'] }), ctx).code).toBe(Code.CHANGED)
    expect(handleDm(req('PUT', '/3303/0', { query: ['pmax=60'] }), ctx).code).toBe(Code.CHANGED)
    const r = discover(ctx, '/3303/0')
    expect(links(r)).toContainEqual(['/3303/0', { pmax: 60 }])
    expect(links(r)).toContainEqual(['/3303/0/5700', { pmin: 10, gt: 25 }])
  })

  it('4.00 for a depth outside 0..3, 4.04 for what does not exist', () => {
    const ctx = context(tree())
    expect(discover(ctx, '/3', ['depth=4']).code).toBe(Code.BAD_REQUEST)
    expect(discover(ctx, '/3303/5').code).toBe(Code.NOT_FOUND)
  })
})

describe('Write (C §6.3.4)', () => {
  it('a single resource in text/plain; a non-writable one is 4.05; a value of the wrong type 4.00', () => {
    const t = tree()
    const ctx = context(t)
    expect(handleDm(req('PUT', '/3/0/13', { contentFormat: CF.TEXT, payload: text('1700000000') }), ctx).code).toBe(Code.CHANGED)
    expect(t.value(3, 0, 13)).toEqual({ type: 'time', value: 1700000000 })
    expect(handleDm(req('PUT', '/3/0/0', { contentFormat: CF.TEXT, payload: text('x') }), ctx).code).toBe(Code.METHOD_NOT_ALLOWED)
    expect(handleDm(req('PUT', '/3/0/13', { contentFormat: CF.TEXT, payload: text('soon') }), ctx).code).toBe(Code.BAD_REQUEST)
    expect(handleDm(req('PUT', '/3311/0/5851', { contentFormat: CF.TEXT, payload: text('101') }), ctx).code).toBe(Code.BAD_REQUEST)
    expect(t.value(3311, 0, 5851)).toEqual(int(40))
  })

  it('Replace (PUT) on an instance drops the writable resources not given and keeps read-only ones; Partial Update (POST) keeps them', () => {
    const t = tree()
    const ctx = context(t)
    expect(handleDm(withBody('PUT', '/3311/0', CF.TLV, [rec('/3311/0/5850', bool(false))]), ctx).code).toBe(Code.CHANGED)
    expect([...(t.instance(3311, 0)?.keys() ?? [])].sort()).toEqual([5701, 5850])
    const t2 = tree()
    expect(handleDm(withBody('POST', '/3311/0', CF.TLV, [rec('/3311/0/5850', bool(false))]), context(t2)).code).toBe(Code.CHANGED)
    expect(t2.value(3311, 0, 5851)).toEqual(int(40))
    expect(t2.value(3311, 0, 5850)).toEqual(bool(false))
  })

  it('a read-only resource inside an instance Write is 4.05 and nothing is written', () => {
    const t = tree()
    const r = handleDm(withBody('PUT', '/3311/0', CF.SENML_JSON, [rec('/3311/0/5850', bool(false)), rec('/3311/0/5701', str('kW'))]), context(t))
    expect(r.code).toBe(Code.METHOD_NOT_ALLOWED)
    expect(t.value(3311, 0, 5850)).toEqual(bool(true))
  })

  it('4.04 for a missing instance, 4.05 for object level (POST /O is Create), 4.00 without Content-Format', () => {
    const ctx = context(tree())
    expect(handleDm(withBody('PUT', '/3311/5', CF.TLV, [rec('/3311/5/5850', bool(false))]), ctx).code).toBe(Code.NOT_FOUND)
    expect(handleDm(req('PUT', '/3311', { contentFormat: CF.TLV, payload: text('x') }), ctx).code).toBe(Code.METHOD_NOT_ALLOWED)
    expect(handleDm(req('PUT', '/3311/0/5851', { payload: text('3') }), ctx).code).toBe(Code.BAD_REQUEST)
  })
})

describe('Write-Attributes (C §7.3) and their inheritance', () => {
  it('attaches per server and path; the effective set inherits object → instance → resource; a bare name unsets', () => {
    const attributes = new AttributeStore()
    const ctx = context(tree(), { attributes })
    expect(handleDm(req('PUT', '/3303', { query: ['pmin=5', 'pmax=60'] }), ctx).code).toBe(Code.CHANGED)
    expect(handleDm(req('PUT', '/3303/0/5700', { query: ['pmin=10', 'st=0.5'] }), ctx).code).toBe(Code.CHANGED)
    expect(attributes.effective(101, p('/3303/0/5700'))).toEqual({ pmin: 10, pmax: 60, st: 0.5 })
    expect(attributes.effective(102, p('/3303/0/5700'))).toEqual({})
    expect(handleDm(req('PUT', '/3303/0/5700', { query: ['st'] }), ctx).code).toBe(Code.CHANGED)
    expect(attributes.attached(101, p('/3303/0/5700'))).toEqual({ pmin: 10 })
  })

  it('4.00 for a bad value or gt on an instance, 4.04 for a missing target', () => {
    const ctx = context(tree())
    expect(handleDm(req('PUT', '/3303/0', { query: ['pmin=soon'] }), ctx).code).toBe(Code.BAD_REQUEST)
    expect(handleDm(req('PUT', '/3303/0', { query: ['gt=3'] }), ctx).code).toBe(Code.BAD_REQUEST)
    expect(handleDm(req('PUT', '/3303/3', { query: ['pmin=1'] }), ctx).code).toBe(Code.NOT_FOUND)
  })
})

describe('Execute (C §6.3.5)', () => {
  it('runs an executable resource with its arguments; a non-executable one is 4.05', () => {
    const ctx = context(tree())
    expect(handleDm(req('POST', '/3/0/4', { payload: text("0='x'") }), ctx).code).toBe(Code.CHANGED)
    expect(ctx.executed).toEqual([{ path: [3, 0, 4], args: "0='x'" }])
    expect(handleDm(req('POST', '/3/0/0'), ctx).code).toBe(Code.METHOD_NOT_ALLOWED)
    expect(handleDm(req('POST', '/3/5/4'), ctx).code).toBe(Code.NOT_FOUND)
  })

  it('C §6.3.5 (1.2.1: each argument once): malformed arguments are 4.00 with the reason and nothing runs; the unquoted 0=U of T §6.6.1 is read', () => {
    const ctx = context(tree())
    for (const [args, reason] of [
      ["0='unterminated", /a value has no closing single quote/],
      ["0='a',0='b'", /argument 0 appears more than once/],
      ['12', /'12' is not one digit/],
      ['x', /starts with a digit/],
      ["0='a',", /ends with a comma/]
    ] as const) {
      const res = handleDm(req('POST', '/3/0/4', { payload: text(args) }), ctx)
      expect(res.code, args).toBe(Code.BAD_REQUEST)
      expect(new TextDecoder().decode(res.payload ?? new Uint8Array(0))).toMatch(reason)
    }
    expect(ctx.executed).toEqual([])
    expect(handleDm(req('POST', '/3/0/4', { payload: text('0=U') }), ctx).code).toBe(Code.CHANGED)
    expect(ctx.executed).toEqual([{ path: [3, 0, 4], args: '0=U' }])
  })
})

describe('Create (C §6.3.6; DMSE-01, DMSE-02)', () => {
  it('DMSE-02: only the given resources are instantiated (mandatory read-only ones get a neutral value), the new id comes back in Location', () => {
    const t = tree()
    const ctx = context(t)
    const r = handleDm(withBody('POST', '/3303', CF.LWM2M_CBOR, [{ path: [3303, 65535, 5750], value: str('room') }]), ctx)
    expect(r).toMatchObject({ code: Code.CREATED, locationPath: ['3303', '1'] })
    expect([...(t.instance(3303, 1)?.keys() ?? [])].sort()).toEqual([5700, 5750])
    expect(t.value(3303, 1, 5750)).toEqual(str('room'))
    expect(ctx.createdLog).toEqual([[3303, 1]])
  })

  it('an instance id given in the payload is used; an existing one is 4.00', () => {
    const t = tree()
    const ctx = context(t)
    expect(handleDm(withBody('POST', '/3303', CF.TLV, [rec('/3303/7/5750', str('a'))]), ctx)).toMatchObject({ code: Code.CREATED, locationPath: ['3303', '7'] })
    expect(handleDm(withBody('POST', '/3303', CF.TLV, [rec('/3303/7/5750', str('b'))]), ctx).code).toBe(Code.BAD_REQUEST)
  })

  it('a missing mandatory writable resource is 4.00', () => {
    const t = tree()
    t.addObject(3306)
    const r = handleDm(withBody('POST', '/3306', CF.TLV, [rec('/3306/0/5851', int(3))]), context(t))
    expect(r.code).toBe(Code.BAD_REQUEST)
    expect(decode(r.payload)).toContain('5850')
    expect(t.hasInstance(3306, 0)).toBe(false)
  })

  it('DMSE-01: a refusal from the profile answers its code; /3 cannot be created; an absent object is 4.04', () => {
    const ctx = context(tree())
    ctx.refusals.set('create /3303', Code.METHOD_NOT_ALLOWED)
    expect(handleDm(withBody('POST', '/3303', CF.TLV, [rec('/3303/1/5750', str('a'))]), ctx).code).toBe(Code.METHOD_NOT_ALLOWED)
    expect(handleDm(withBody('POST', '/3', CF.TLV, [rec('/3/1/14', str('+01'))]), ctx).code).toBe(Code.METHOD_NOT_ALLOWED)
    expect(handleDm(withBody('POST', '/3306', CF.TLV, [rec('/3306/0/5850', bool(true))]), ctx).code).toBe(Code.NOT_FOUND)
  })
})

describe('Create on a single-instance object (C §6.3.6)', () => {
  it('an object that already has its one instance answers 4.00 (it exists), not 4.05, and keeps it', () => {
    const t = tree()
    t.putInstance(6, 0, data({ 0: float(1), 1: float(2) }))
    const r = handleDm(withBody('POST', '/6', CF.TLV, [rec('/6/0/0', float(5))]), context(t))
    expect(r.code).toBe(Code.BAD_REQUEST)
    expect(decode(r.payload)).toContain('already has its instance')
    expect(t.value(6, 0, 0)).toEqual(float(1))
  })
})

describe('Delete (C §6.3.7; DMSE-01)', () => {
  it('deletes an instance (and its attributes); /3/0 is not deletable; a missing one is 4.04; a refusal answers its code', () => {
    const t = tree()
    const ctx = context(t)
    handleDm(req('PUT', '/3303/0', { query: ['pmin=3'] }), ctx)
    expect(handleDm(req('DELETE', '/3/0'), ctx).code).toBe(Code.METHOD_NOT_ALLOWED)
    expect(handleDm(req('DELETE', '/3303/4'), ctx).code).toBe(Code.NOT_FOUND)
    ctx.refusals.set('delete /3311/0', Code.METHOD_NOT_ALLOWED)
    expect(handleDm(req('DELETE', '/3311/0'), ctx).code).toBe(Code.METHOD_NOT_ALLOWED)
    expect(t.hasInstance(3311, 0)).toBe(true)
    expect(handleDm(req('DELETE', '/3303/0'), ctx).code).toBe(Code.DELETED)
    expect(t.hasInstance(3303, 0)).toBe(false)
    expect(ctx.attributes.attached(101, p('/3303/0'))).toEqual({})
  })
})

describe('Access control with two servers (C §8.2, facts §3.3 / §5.2)', () => {
  /** Servers 101 and 102; /2 instances govern /3303/0, /3303/1 and Create on /3303. */
  function shared(): ObjectTree {
    const t = tree()
    t.putInstance(0, 1, data({ 0: str('coap://server102'), 1: bool(false), 2: int(3), 10: int(102) }))
    t.putInstance(1, 1, data({ 0: int(102), 1: int(300), 6: bool(true), 7: str('U') }))
    t.putInstance(3303, 1, data({ 5700: float(5) }))
    const acl = (entries: Record<number, number>) => new Map(Object.entries(entries).map(([k, v]) => [Number(k), int(v)]))
    // /3303/0: 101 may Read and Write, everybody else Read (default ACL instance 0); owner 101.
    t.putInstance(2, 0, new Map<number, never>([[0, int(3303)], [1, int(0)], [2, acl({ 101: 3, 0: 1 })], [3, int(101)]] as never))
    // Create on /3303 for 102 only.
    t.putInstance(2, 1, new Map<number, never>([[0, int(3303)], [1, int(65535)], [2, acl({ 102: 16 })], [3, int(65535)]] as never))
    // /3303/1: 102 may Read; owner 101 without an entry of its own has every right.
    t.putInstance(2, 2, new Map<number, never>([[0, int(3303)], [1, int(1)], [2, acl({ 102: 1 })], [3, int(101)]] as never))
    return t
  }

  it('R/W/E/D bits of the server\'s own ACL entry', () => {
    const t = shared()
    const a = context(t, { ssid: 101 })
    expect(handleDm(req('GET', '/3303/0/5700'), a).code).toBe(Code.CONTENT)
    expect(handleDm(req('PUT', '/3303/0', { query: ['pmin=1'] }), a).code).toBe(Code.CHANGED)
    expect(handleDm(req('POST', '/3303/0/5605'), a).code).toBe(Code.UNAUTHORIZED)
    expect(handleDm(req('DELETE', '/3303/0'), a).code).toBe(Code.UNAUTHORIZED)
  })

  it('the default entry (ACL resource instance 0) for a server without its own', () => {
    const t = shared()
    const b = context(t, { ssid: 102 })
    expect(handleDm(req('GET', '/3303/0'), b).code).toBe(Code.CONTENT)
    expect(handleDm(withBody('POST', '/3303/0', CF.TLV, [rec('/3303/0/5750', str('x'))]), b).code).toBe(Code.UNAUTHORIZED)
  })

  it('the owner without an entry of its own has every right but Create; an instance without an ACL instance is out of reach', () => {
    const t = shared()
    expect(handleDm(req('POST', '/3303/1/5605'), context(t, { ssid: 101 })).code).toBe(Code.CHANGED)
    expect(handleDm(req('DELETE', '/3303/1'), context(t, { ssid: 102 })).code).toBe(Code.UNAUTHORIZED)
    expect(handleDm(req('GET', '/3/0'), context(t, { ssid: 101 })).code).toBe(Code.UNAUTHORIZED)
    expect(handleDm(req('DELETE', '/3303/1'), context(t, { ssid: 101 })).code).toBe(Code.DELETED)
  })

  it('an object-level Read carries only the instances the server may read', () => {
    const t = shared()
    t.putInstance(3303, 2, data({ 5700: float(9) }))
    const r = handleDm(req('GET', '/3303', { accept: CF.SENML_JSON }), context(t, { ssid: 102 }))
    expect([...new Set(records(r, '/3303').map((x) => x.path[1]))]).toEqual([0, 1])
  })

  it('Create needs the C bit on the object-level ACL instance; the creator then owns the new instance and may read it', () => {
    const t = shared()
    const body = [{ path: [3303, 65535, 5750] as never, value: str('new') }]
    expect(handleDm(withBody('POST', '/3303', CF.LWM2M_CBOR, body), context(t, { ssid: 101 })).code).toBe(Code.UNAUTHORIZED)
    const b = context(t, { ssid: 102 })
    const r = handleDm(withBody('POST', '/3303', CF.LWM2M_CBOR, body), b)
    expect(r).toMatchObject({ code: Code.CREATED, locationPath: ['3303', '2'] })
    expect(handleDm(req('GET', '/3303/2/5750'), b).code).toBe(Code.CONTENT)
    // The other server has no right on it.
    expect(handleDm(req('GET', '/3303/2'), context(t, { ssid: 101 })).code).toBe(Code.UNAUTHORIZED)
    const aco = aclInstance(t, 3303, 2) as number
    expect(t.value(2, aco, 3)).toEqual(int(102))
    // Deleting the instance removes its Object 2 instance too.
    expect(handleDm(req('DELETE', '/3303/2'), b).code).toBe(Code.DELETED)
    expect(aclInstance(t, 3303, 2)).toBeNull()
  })

  it('with a single server access control is not in force', () => {
    const t = tree()
    t.putInstance(2, 0, new Map<number, never>([[0, int(3303)], [1, int(0)], [2, new Map([[101, int(0)]])], [3, int(101)]] as never))
    expect(handleDm(req('DELETE', '/3303/0'), context(t)).code).toBe(Code.DELETED)
  })
})

describe('Write-Composite and Read-Composite (C §6.3.4, §6.3.2)', () => {
  it('Write-Composite writes every target, all or nothing', () => {
    const t = tree()
    const ctx = context(t)
    const ok = withBody('IPATCH', '/', CF.SENML_JSON, [rec('/3311/0/5851', int(70)), rec('/3/0/14', str('+02:00'))])
    expect(handleDm(ok, ctx).code).toBe(Code.CHANGED)
    expect(t.value(3311, 0, 5851)).toEqual(int(70))
    expect(t.value(3, 0, 14)).toEqual(str('+02:00'))
    const bad = withBody('IPATCH', '/', CF.SENML_JSON, [rec('/3311/0/5851', int(10)), rec('/3/0/0', str('evil'))])
    expect(handleDm(bad, ctx).code).toBe(Code.METHOD_NOT_ALLOWED)
    expect(t.value(3311, 0, 5851)).toEqual(int(70))
    expect(t.value(3, 0, 0)).toEqual(str('ACME'))
    const missing = withBody('IPATCH', '/', CF.SENML_JSON, [rec('/3311/0/5851', int(10)), rec('/3311/9/5851', int(1))])
    expect(handleDm(missing, ctx).code).toBe(Code.NOT_FOUND)
    expect(t.value(3311, 0, 5851)).toEqual(int(70))
  })

  it('Write-Composite with a SenML-ETCH Patch Pack: "v": null deletes a resource instance, a value adds one (RFC 8790)', () => {
    const t = tree()
    t.set([1, 0, 25], new Map([[0, str('1.1')], [1, str('1.2')]]))
    const ctx = context(t)
    const patch = (body: string) => handleDm(req('IPATCH', '/', { contentFormat: CF.SENML_ETCH_JSON, payload: text(body) }), ctx)
    expect(patch('[{"n":"/1/0/25/0","v":null},{"n":"/1/0/25/5","vs":"1.2.1"}]').code).toBe(Code.CHANGED)
    expect([...(t.get([1, 0, 25]) as Map<number, unknown>).keys()]).toEqual([1, 5])
    // Deleting what is not there, or a read-only resource instance, changes nothing.
    expect(patch('[{"n":"/1/0/25/1","v":null},{"n":"/1/0/25/9","v":null}]').code).toBe(Code.NOT_FOUND)
    expect(patch('[{"n":"/1/0/25/1","v":null},{"n":"/3/0/11/0","v":null}]').code).toBe(Code.METHOD_NOT_ALLOWED)
    expect([...(t.get([1, 0, 25]) as Map<number, unknown>).keys()]).toEqual([1, 5])
  })

  it('Read-Composite is best effort: paths that do not exist are left out', () => {
    const body = withBody('FETCH', '/', CF.SENML_JSON, [rec('/3/0/0'), rec('/3303/9'), rec('/3311/0/5850')], { accept: CF.SENML_JSON })
    const r = handleDm(body, context(tree()))
    expect(r).toMatchObject({ code: Code.CONTENT, contentFormat: CF.SENML_JSON })
    expect(records(r, '/')).toEqual([
      { path: [3, 0, 0], value: str('ACME') },
      { path: [3311, 0, 5850], value: bool(true) }
    ])
  })

  it('Read-Composite: 4.00 without Content-Format, 4.15 for one that cannot carry paths, 4.06 for a TLV answer', () => {
    const ctx = context(tree())
    expect(handleDm(req('FETCH', '/', { payload: text('[]') }), ctx).code).toBe(Code.BAD_REQUEST)
    expect(handleDm(req('FETCH', '/', { contentFormat: CF.TLV, payload: text('x') }), ctx).code).toBe(Code.UNSUPPORTED_CONTENT_FORMAT)
    const body = withBody('FETCH', '/', CF.SENML_JSON, [rec('/3/0/0')], { accept: CF.TLV })
    expect(handleDm(body, ctx).code).toBe(Code.NOT_ACCEPTABLE)
  })
})
