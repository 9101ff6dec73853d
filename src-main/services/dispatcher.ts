// SPDX-License-Identifier: Apache-2.0
// The single entry from every carrier into the services: looks the method up, validates params at
// run time (callers are untrusted), runs the handler and turns every failure into error data.
import { ServiceError, type ContractError, type Outcome } from '../contract/errors'
import { isMethod, METHOD_PARAMS, type Method, type Params, type Result } from '../contract/methods'
import { validate } from '../contract/schema'
import type { Carrier } from '../contract/system'

export interface CallContext {
  readonly carrier: Carrier
}

export type Handler<M extends Method> = (params: Params<M>, ctx: CallContext) => Promise<Result<M>> | Result<M>

/** The mapped type makes a contract method without a handler a compile error. */
export type HandlerTable = { readonly [M in Method]: Handler<M> }

export class Dispatcher {
  constructor(
    private readonly handlers: HandlerTable,
    private readonly onInternalError: (method: string, error: unknown) => void = () => {}
  ) {}

  /** Method names this dispatcher serves (for the contract surface test). */
  methods(): string[] {
    return Object.keys(this.handlers)
  }

  async dispatch(method: unknown, params: unknown, ctx: CallContext): Promise<Outcome<unknown>> {
    if (typeof method !== 'string' || !isMethod(method))
      return fail({
        code: 'rpc.unknown_method',
        message: `unknown method ${JSON.stringify(method)}`,
        details: { method }
      })
    const p = params === undefined || params === null ? {} : params
    const issues = validate(METHOD_PARAMS[method], p)
    if (issues.length > 0)
      return fail({
        code: 'rpc.invalid_params',
        message: `invalid params for ${method}: ${issues.map((i) => `${i.at || '/'} ${i.message}`).join('; ')}`,
        details: { issues }
      })
    try {
      const handler = this.handlers[method] as Handler<Method>
      const result = await handler(p as Params<Method>, ctx)
      return { ok: true, result }
    } catch (e) {
      if (e instanceof ServiceError) return fail({ code: e.code, message: e.message, details: e.details })
      this.onInternalError(method, e)
      return fail({ code: 'rpc.internal', message: `${method} failed: ${(e as Error)?.message ?? String(e)}` })
    }
  }
}

function fail(error: ContractError): Outcome<never> {
  return { ok: false, error }
}
