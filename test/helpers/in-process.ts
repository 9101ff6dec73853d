// Calls a contract method on an in-process workbench; a contract error becomes a thrown
// "code: message" so tests can assert on both.
import type { Workbench } from '../../src-main/services/workbench'

export async function callIn<T>(wb: Workbench, method: string, params: unknown): Promise<T> {
  const o = await wb.dispatcher.dispatch(method, params, { carrier: 'in-process' })
  if (!o.ok) throw new Error(`${o.error.code}: ${o.error.message}`)
  return o.result as T
}
