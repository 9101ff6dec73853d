// The client's registration procedure (C §6.2.1.1, Tbl 6.2.1.1-1; facts §3.2) on a fake clock,
// against a scripted RegistrationPort: no CoAP, no sockets. The port answers each Register /
// Update / De-register from a script and records what was asked and when.
import { describe, expect, it } from 'vitest'
import type { ServerAccount } from '../../../../src-main/core/lwm2m/client/bootstrap-interface'
import { Code } from '../../../../src-main/core/lwm2m/client/client-request'
import type { LwM2MVersion } from '../../../../src-main/core/lwm2m/client/device-management'
import type { ObjectTree } from '../../../../src-main/core/lwm2m/client/object-tree'
import { RegistrationProcedure, type RegistrationPort, type ServerStatus, type UplinkResult, type UplinkSpec } from '../../../../src-main/core/lwm2m/client/registration'
import { parseLinkFormat } from '../../../../src-main/core/lwm2m/link-format'
import { FakeScheduler } from '../../coap/helpers/fake-scheduler'
import { bool, decode, deviceTree, str, uint } from './fixtures'

interface Sent extends UplinkSpec {
  readonly ssid: number
  readonly at: number
}

type Answer = UplinkResult | 'timeout'

/** Answers from `script(spec, n)`; 'timeout' rejects as a CoAP request with no answer would. */
class ScriptedPort implements RegistrationPort {
  readonly sent: Sent[] = []
  script: (s: Sent, n: number) => Answer = (s) => created(s)
  constructor(private readonly clock: FakeScheduler) {}
  async send(account: ServerAccount, req: UplinkSpec): Promise<UplinkResult> {
    const s: Sent = { ...req, ssid: account.ssid, at: this.clock.now() }
    this.sent.push(s)
    const a = this.script(s, this.sent.length - 1)
    if (a === 'timeout') throw new Error('no answer')
    return a
  }
  registers(ssid?: number): Sent[] {
    return this.sent.filter((s) => s.path[0] === 'rd' && s.path.length === 1 && (ssid === undefined || s.ssid === ssid))
  }
  updates(): Sent[] {
    return this.sent.filter((s) => s.method === 'POST' && s.path.length > 1)
  }
}

/** 2.01 to a Register, 2.04 to an Update, 2.02 to a De-register. */
const created = (s: { ssid: number; method: string; path: readonly string[] }): UplinkResult =>
  s.method === 'DELETE' ? { code: Code.DELETED, locationPath: [] } : s.path.length > 1 ? { code: Code.CHANGED, locationPath: [] } : { code: Code.CREATED, locationPath: ['rd', `r${s.ssid}`] }
const changed: UplinkResult = { code: Code.CHANGED, locationPath: [] }
const S = 1000

function setup(tree: ObjectTree, opts: { version?: LwM2MVersion; queue?: boolean; profileId?: string } = {}) {
  const clock = new FakeScheduler()
  const port = new ScriptedPort(clock)
  const statuses: ServerStatus[] = []
  let bootstrapNeeded = 0
  const proc = new RegistrationProcedure({
    tree,
    scheduler: clock,
    port,
    endpoint: 'urn:dev:os:test-1',
    version: opts.version ?? '1.2',
    queue: opts.queue ?? false,
    preferredFormat: 112,
    ...(opts.profileId !== undefined ? { profileId: opts.profileId } : {}),
    onStatus: (s) => statuses.push(s),
    onBootstrapNeeded: () => void bootstrapNeeded++
  })
  return { clock, port, proc, statuses, bootstrapNeeded: () => bootstrapNeeded }
}

const query = (s: Sent): Record<string, string | true> => Object.fromEntries(s.query.map((q) => (q.includes('=') ? [q.slice(0, q.indexOf('=')), q.slice(q.indexOf('=') + 1)] : [q, true])))

describe('Register request (C §6.2.1, T Tbl 6.4.3-1)', () => {
  it('1.2: POST /rd with ep, lt, lwm2m, b and the Q flag for queue mode; link payload without /0 /21 /23, with /1 and /3 and ver=', async () => {
    const tree = deviceTree([{ ssid: 101, lifetime: 120 }])
    tree.putInstance(21, 0, new Map())
    tree.putInstance(23, 0, new Map())
    const { clock, port, proc } = setup(tree, { queue: true })
    proc.start()
    await clock.advance(0)
    const [r] = port.registers()
    expect(r).toBeDefined()
    expect(r?.method).toBe('POST')
    expect(query(r as Sent)).toEqual({ ep: 'urn:dev:os:test-1', lt: '120', lwm2m: '1.2', b: 'U', Q: true })
    expect(r?.contentFormat).toBe(40)
    const links = parseLinkFormat(decode(r?.payload)).links
    const targets = links.map((l) => l.target)
    expect(targets).toContain('/1/0')
    expect(targets).toContain('/3/0')
    expect(targets.some((t) => /^\/(0|21|23)(\/|$)/.test(t))).toBe(false)
    expect(links[0]).toMatchObject({ target: '/', attributes: { rt: 'oma.lwm2m', ct: 112 } })
    // Objects newer than 1.0 announce their version on the object link (C §6.2.1, RD-01).
    expect(links.find((l) => l.target === '/1')?.attributes.ver).toBe('1.2')
    expect(proc.status()[0]).toMatchObject({ state: 'registered', location: ['rd', 'r101'] })
  })

  it('1.0: queue mode travels inside b (UQ), no Q flag; versions quoted', async () => {
    const { clock, port, proc } = setup(deviceTree([{ ssid: 101 }]), { version: '1.0', queue: true })
    proc.start()
    await clock.advance(0)
    const r = port.registers()[0] as Sent
    expect(query(r)).toEqual({ ep: 'urn:dev:os:test-1', lt: '300', lwm2m: '1.0', b: 'UQ' })
    expect(decode(r.payload)).not.toContain('</>')
  })

  it('LwM2M-TRAN-BIND-05: a Binding without U (/1/x/7 = "T") still registers over UDP with b=U', async () => {
    const tree = deviceTree([{ ssid: 101, extra: { 7: str('T') } }])
    const { clock, port, proc } = setup(tree)
    proc.start()
    await clock.advance(0)
    expect(query(port.registers()[0] as Sent).b).toBe('U')
  })

  it('Ident-01: pid is sent; a 4.09 answer makes the client register again without pid and with the full list', async () => {
    const { clock, port, proc } = setup(deviceTree([{ ssid: 101 }]), { profileId: '6:27354b9a' })
    port.script = (s) => (s.query.some((q) => q.startsWith('pid=')) ? { code: Code.CONFLICT, locationPath: [] } : created(s))
    proc.start()
    await clock.advance(0)
    const [first, second] = port.registers()
    expect(query(first as Sent).pid).toBe('6:27354b9a')
    expect(query(second as Sent).pid).toBeUndefined()
    expect(decode(second?.payload)).toContain('</3/0>')
    expect(proc.registered).toBe(true)
  })

  it('VER-02/03: a server that refuses lwm2m=1.2 with 4.12 (a 1.1 server such as Wakaama) is registered with 1.1 at once, with 1.1 links and binding, and the status says so', async () => {
    const { clock, port, proc } = setup(deviceTree([{ ssid: 101 }]), { queue: true })
    port.script = (s) => (query(s).lwm2m === '1.2' ? { code: Code.PRECONDITION_FAILED, locationPath: [] } : created(s))
    proc.start()
    await clock.advance(0)
    const [first, second] = port.registers()
    expect(query(first as Sent)).toMatchObject({ lwm2m: '1.2' })
    expect(query(second as Sent)).toMatchObject({ lwm2m: '1.1', b: 'U' })
    expect(second?.query).toContain('Q')
    expect(proc.registered).toBe(true)
    expect(proc.status()[0]).toMatchObject({ state: 'registered', version: '1.1', attempts: 2 })
  })

  it('VER-03: a server that refuses every version ends at 1.0 and stays unregistered, naming the last refusal', async () => {
    const { clock, port, proc } = setup(deviceTree([{ ssid: 101 }]))
    port.script = () => ({ code: Code.PRECONDITION_FAILED, locationPath: [] })
    proc.start()
    await clock.advance(0)
    expect(port.registers().slice(0, 3).map((r) => query(r).lwm2m)).toEqual(['1.2', '1.1', '1.0'])
    expect(proc.registered).toBe(false)
    expect(proc.status()[0]).toMatchObject({ version: '1.0', lastError: 'Register answered 4.12' })
  })
})

describe('Registration procedure timing (C §6.2.1.1 Tbl 6.2.1.1-1)', () => {
  it('Initial Registration Delay Timer (/1/x/14) delays the first Register', async () => {
    const { clock, port, proc } = setup(deviceTree([{ ssid: 101, extra: { 14: uint(30) } }]))
    proc.start()
    await clock.advance(29 * S)
    expect(port.registers()).toHaveLength(0)
    await clock.advance(1 * S)
    expect(port.registers().map((s) => s.at)).toEqual([30 * S])
  })

  it('Communication Retry Count and Timer: attempts spaced exponentially (60, 120, 240 s by default), then the Sequence Delay, then Sequence Retry Count sequences', async () => {
    const tree = deviceTree([{ ssid: 101, extra: { 17: uint(4), 19: uint(1000), 20: uint(2), 16: bool(false) } }])
    const { clock, port, proc, statuses, bootstrapNeeded } = setup(tree)
    port.script = () => 'timeout'
    proc.start()
    await clock.advance(10_000 * S)
    const at = port.registers().map((s) => s.at / S)
    // Sequence 1: 0, +60, +120, +240 → 0, 60, 180, 420; then 1000 s sequence delay; sequence 2 the same.
    expect(at).toEqual([0, 60, 180, 420, 1420, 1480, 1600, 1840])
    expect(proc.status()[0]).toMatchObject({ state: 'failed', attempts: 8 })
    expect(statuses.at(-1)?.state).toBe('failed')
    expect(bootstrapNeeded()).toBe(0)
  })

  it('a 4.xx answer is a failed attempt too, retried on the same schedule with a Retry Timer of /1/x/18', async () => {
    const tree = deviceTree([{ ssid: 101, extra: { 17: uint(3), 18: uint(10), 16: bool(false) } }])
    const { clock, port, proc } = setup(tree)
    port.script = (s, n) => (n < 2 ? { code: Code.FORBIDDEN, locationPath: [] } : created(s))
    proc.start()
    await clock.advance(100 * S)
    expect(port.registers().map((s) => s.at / S)).toEqual([0, 10, 30])
    expect(proc.status()[0]?.state).toBe('registered')
  })

  it('Bootstrap on Registration Failure (default true) asks for bootstrap once registration failed for good', async () => {
    const tree = deviceTree([{ ssid: 101, extra: { 17: uint(1) } }])
    const { clock, port, proc, bootstrapNeeded } = setup(tree)
    port.script = () => ({ code: Code.FORBIDDEN, locationPath: [] })
    proc.start()
    await clock.advance(1 * S)
    expect(port.registers()).toHaveLength(1)
    expect(bootstrapNeeded()).toBe(1)
  })
})

describe('REG-01/02: several servers, Registration Priority Order (/1/x/13) and Failure Block (/1/x/15)', () => {
  const two = (block: boolean) =>
    deviceTree([
      { ssid: 102, extra: { 13: uint(2) } },
      { ssid: 101, extra: { 13: uint(1), 15: bool(block), 16: bool(false), 17: uint(2), 18: uint(5) } }
    ])

  it('servers with a priority register one after the other, lowest order first, the next only after the previous registered', async () => {
    const { clock, port, proc } = setup(two(false))
    let release: (() => void) | null = null
    port.script = (s) => created(s)
    // Hold server 101's answer for 50 s: 102 must not be tried before.
    const original = port.send.bind(port)
    port.send = async (a, r) => {
      if (a.ssid === 101 && release === null) await new Promise<void>((resolve) => (release = resolve, clock.schedule(50 * S, resolve)))
      return original(a, r)
    }
    proc.start()
    await clock.advance(49 * S)
    expect(port.registers()).toHaveLength(0)
    await clock.advance(1 * S)
    expect(port.registers().map((s) => s.ssid)).toEqual([101, 102])
    expect(proc.status().every((s) => s.state === 'registered')).toBe(true)
  })

  it('Registration Failure Block true: the failure of the first blocks the later ones', async () => {
    const { clock, port, proc } = setup(two(true))
    port.script = (s) => (s.ssid === 101 ? 'timeout' : created(s))
    proc.start()
    await clock.advance(1000 * S)
    expect(port.registers().map((s) => s.ssid)).toEqual([101, 101])
    expect(proc.status().find((s) => s.ssid === 102)?.state).toBe('failed')
  })

  it('Registration Failure Block false: after the first fails, the next one is tried', async () => {
    const { clock, port, proc } = setup(two(false))
    port.script = (s) => (s.ssid === 101 ? 'timeout' : created(s))
    proc.start()
    await clock.advance(1000 * S)
    expect(port.registers().map((s) => s.ssid)).toEqual([101, 101, 102])
    expect(proc.status().find((s) => s.ssid === 102)?.state).toBe('registered')
  })

  it('Registration Failure Block blocks only the servers later in the priority order, not one without a priority still in its Initial Registration Delay', async () => {
    const tree = two(true)
    tree.putInstance(0, 2, new Map(tree.instance(0, 0)).set(10, { type: 'integer', value: 103 }))
    tree.putInstance(1, 2, new Map([[0, { type: 'integer', value: 103 }], [1, { type: 'integer', value: 300 }], [14, uint(100)]]))
    const { clock, port, proc } = setup(tree)
    port.script = (s) => (s.ssid === 101 ? 'timeout' : created(s))
    proc.start()
    await clock.advance(1000 * S)
    expect(proc.status().find((s) => s.ssid === 102)?.state).toBe('failed')
    expect(port.registers(103).map((s) => s.at)).toEqual([100 * S])
    expect(proc.status().find((s) => s.ssid === 103)?.state).toBe('registered')
  })

  it('servers without a priority register independently, at once', async () => {
    const { clock, port, proc } = setup(deviceTree([{ ssid: 101 }, { ssid: 102 }]))
    proc.start()
    await clock.advance(0)
    expect(port.registers().map((s) => s.ssid).sort()).toEqual([101, 102])
  })
})

describe('Update and De-register (C §6.2.2, §6.2.3)', () => {
  it('sends an Update before the lifetime ends, with no parameters when nothing changed; then only what changed (lt)', async () => {
    const tree = deviceTree([{ ssid: 101, lifetime: 100 }])
    const { clock, port, proc } = setup(tree)
    port.script = (s) => (s.path.length === 1 ? created(s) : changed)
    proc.start()
    await clock.advance(89 * S)
    expect(port.updates()).toHaveLength(0)
    await clock.advance(1 * S)
    expect(port.updates()).toHaveLength(1)
    const u = port.updates()[0] as Sent
    expect(u.path).toEqual(['rd', 'r101'])
    expect(u.query).toEqual([])
    expect(u.payload).toBeUndefined()
    tree.set([1, 0, 1], { type: 'integer', value: 200 })
    await proc.update(101, { force: false })
    expect(port.updates().at(-1)?.query).toEqual(['lt=200'])
    // The next one comes at 90 % of the new lifetime.
    const t = clock.now()
    await clock.advance(180 * S)
    expect(port.updates().at(-1)?.at).toBe(t + 180 * S)
  })

  it('a changed object list goes in the Update payload; an unchanged one does not', async () => {
    const tree = deviceTree([{ ssid: 101 }])
    const { clock, port, proc } = setup(tree)
    port.script = (s) => (s.path.length === 1 ? created(s) : changed)
    proc.start()
    await clock.advance(0)
    await proc.update(101, { force: false })
    expect(port.updates()).toHaveLength(0)
    tree.putInstance(3303, 0, new Map())
    await proc.update(101, { force: false })
    expect(decode(port.updates()[0]?.payload)).toContain('</3303/0>')
  })

  it('Update answered 4.04: the client registers again', async () => {
    const { clock, port, proc } = setup(deviceTree([{ ssid: 101 }]))
    port.script = (s) => (s.path.length === 1 ? created(s) : { code: Code.NOT_FOUND, locationPath: [] })
    proc.start()
    await clock.advance(0)
    await proc.update(101)
    await clock.advance(0)
    expect(port.registers()).toHaveLength(2)
    expect(proc.status()[0]?.state).toBe('registered')
  })

  it('De-register sends DELETE to the location', async () => {
    const { clock, port, proc } = setup(deviceTree([{ ssid: 101 }]))
    proc.start()
    await clock.advance(0)
    port.script = () => ({ code: Code.DELETED, locationPath: [] })
    await proc.deregister()
    expect(port.sent.at(-1)).toMatchObject({ method: 'DELETE', path: ['rd', 'r101'], query: [] })
    expect(proc.status()[0]?.state).toBe('deregistered')
    // Nothing more: no lifetime Update after De-register.
    await clock.advance(10_000 * S)
    expect(port.updates()).toHaveLength(0)
  })

  it('/1/x/4 Disable: De-register, stay silent for Disable Timeout (/1/x/5), then register again', async () => {
    const tree = deviceTree([{ ssid: 101, lifetime: 100_000, extra: { 5: { type: 'integer', value: 600 } } }])
    const { clock, port, proc } = setup(tree)
    port.script = (s) => (s.method === 'DELETE' ? { code: Code.DELETED, locationPath: [] } : created(s))
    proc.start()
    await clock.advance(0)
    await proc.disable(101)
    expect(port.sent.at(-1)?.method).toBe('DELETE')
    expect(proc.status()[0]?.state).toBe('disabled')
    await clock.advance(599 * S)
    expect(port.registers()).toHaveLength(1)
    await clock.advance(1 * S)
    expect(port.registers()).toHaveLength(2)
    expect(proc.status()[0]?.state).toBe('registered')
  })
})
