// Issue 12 item 15: object() schemas must refuse Object.prototype's names as unknown fields. `in`
// finds them on the prototype chain; JSON.parse makes "__proto__" an own property, so a hostile
// client can send it too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { object, optional, string, validate } from '../../src-main/contract/schema'
import { startHeadless, type HeadlessServer } from '../../src-main/headless/server'
import { createWorkbench, type Workbench } from '../../src-main/services/workbench'
import { tempDir } from '../helpers/temp-dir'
import { connect, type RawClient } from '../helpers/ws-rpc'

const NAMES = Object.getOwnPropertyNames(Object.prototype)
/** {"<name>": 1} with <name> as an own property, as JSON.parse builds it from the wire. */
const withKey = (name: string): unknown => JSON.parse(`{${JSON.stringify(name)}: 1}`)

describe('issue 12 item 15: prototype names are unknown fields', () => {
  it('the test covers the names that matter', () => {
    expect(NAMES).toEqual(expect.arrayContaining(['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']))
  })
  it('object() refuses every Object.prototype name, and does not take one as a present required field', () => {
    const schema = object({ a: optional(string()) })
    for (const name of NAMES) {
      const issues = validate(schema, withKey(name))
      expect(issues, name).toEqual([{ at: `/${name}`, message: 'unknown field' }])
    }
    const required = object({ toString: string() })
    expect(validate(required, {})).toEqual([{ at: '/toString', message: 'required' }])
  })

  let dir: ReturnType<typeof tempDir>
  let wb: Workbench
  let server: HeadlessServer
  let client: RawClient
  beforeAll(async () => {
    dir = tempDir()
    wb = createWorkbench({ dataDir: dir.path, log: () => {} })
    server = await startHeadless({ workbench: wb, rendererDir: dir.path, port: 0 })
    client = await connect(server.baseUrl, server.token)
  })
  afterAll(async () => {
    client.close()
    await server.close()
    await wb.close()
    dir.cleanup()
  })

  it('the dispatcher answers rpc.invalid_params for each name (devices.list, system.info)', async () => {
    for (const method of ['devices.list', 'system.info'])
      for (const name of NAMES) {
        const o = await wb.dispatcher.dispatch(method, withKey(name), { carrier: 'in-process' })
        expect(o.ok ? 'accepted' : o.error.code, `${method} ${name}`).toBe('rpc.invalid_params')
      }
  })
  it('the JSON-RPC carrier answers -32602 for each name, "__proto__" included', async () => {
    for (const name of NAMES) {
      client.send(`{"jsonrpc":"2.0","id":7,"method":"devices.list","params":{${JSON.stringify(name)}:1}}`)
      const r = await client.next((m) => m.id === 7)
      expect((r.error as { code: number } | undefined)?.code, name).toBe(-32602)
    }
  })
})
