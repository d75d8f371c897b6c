import type { z } from 'zod';
import type { Contract, ProcedureName } from '@shared/contract';
import type { ProcedureDef } from '@shared/contract/procedure';
import type { CallContext } from './principal';

/** The implementation of one procedure: parsed input in, output out. */
export type Handler<P extends ProcedureDef = ProcedureDef> = (
  input: z.output<P['input']>,
  ctx: CallContext,
) => z.input<P['output']> | Promise<z.input<P['output']>>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the map is keyed by name; each entry is typed where it is written (see contractHandlers).
export type HandlerMap = Record<string, Handler<any>>;

/**
 * A part of the core: the procedures it implements and how it starts and stops. Modules start
 * in the order they are listed in app/create-core.ts and stop in reverse.
 */
export interface CoreModule {
  name: string;
  handlers?: HandlerMap;
  start?(): void | Promise<void>;
  /** Stop accepting work and let running work reach a safe point. */
  stop?(): void | Promise<void>;
}

/** Implementations typed by the contract: each handler gets its procedure's parsed input type. */
export type ContractHandlers = { [N in ProcedureName]: Handler<Contract[N]> };

export function contractHandlers(handlers: Partial<ContractHandlers>): HandlerMap {
  return handlers as HandlerMap;
}
