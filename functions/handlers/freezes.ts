/**
 * Freezes: GET/POST /freezes, GET/PATCH /freezes/{id}, POST /freezes/{id}/enforce and /lift (admins);
 * POST /freezes/{id}/exceptions (the change's requestor), POST
 * /freezes/{id}/exceptions/{change}/decision and /review (the freeze owner).
 */
import { httpApi, type ApiEvent, type Route } from '../http/api.js';
import {
  FreezeExceptionDecisionSchema,
  FreezeExceptionSchema,
  FreezeIdSchema,
  FreezeListQuerySchema,
  FreezePatchSchema,
  FreezeReviewSchema,
  FreezeSchema,
  FreezeStepSchema,
} from '../http/freeze-schemas.js';
import { actor as actorOf, reader } from '../http/identity.js';
import { expectedVersion, jsonBody, parseWith } from '../http/request.js';
import { json } from '../http/responses.js';
import { ChangeIdSchema } from '../http/schemas.js';
import type { Config } from '../config.js';
import type { Directory } from '../ports.js';
import {
  askFreezeException,
  declareFreeze,
  decideFreezeException,
  enforceFreeze,
  type FreezeDeps,
  getFreeze,
  liftFreeze,
  listFreezes,
  reviseFreeze,
  reviewFreezeException,
} from '../use-cases/freezes.js';

export interface FreezesHandlerDeps {
  config: Config;
  calendar: FreezeDeps;
  directory: Directory;
}

export function freezeRoutes(deps: FreezesHandlerDeps): Record<string, Route> {
  const cal = deps.calendar;
  const known = deps.config.rules.components;
  const who = (event: ApiEvent) => actorOf(event, deps.config, deps.directory);
  const id = (event: ApiEvent) => parseWith(FreezeIdSchema, event.pathParameters?.id, 'id');
  const change = (event: ApiEvent) => parseWith(ChangeIdSchema, event.pathParameters?.change, 'change');
  const body = <T extends Parameters<typeof parseWith>[0]>(schema: T, event: ApiEvent) =>
    parseWith(schema, jsonBody(event, deps.config.MAX_BODY_BYTES, true), 'body') as ReturnType<typeof parseWith<T>>;
  return {
    'GET /freezes': async (event) => {
      await reader(event, deps.config);
      const q = parseWith(FreezeListQuerySchema, event.queryStringParameters ?? {}, 'query');
      return json(200, await listFreezes(cal, known, q.state));
    },
    'POST /freezes': async (event) => {
      const actor = await who(event);
      const created = await declareFreeze(cal, deps.directory, actor, body(FreezeSchema, event));
      return json(201, created, { location: `/freezes/${created.id}` });
    },
    'GET /freezes/{id}': async (event) => {
      await reader(event, deps.config);
      return json(200, await getFreeze(cal, id(event), known));
    },
    'PATCH /freezes/{id}': async (event) => {
      const actor = await who(event);
      return json(200, await reviseFreeze(cal, deps.directory, actor, id(event), body(FreezePatchSchema, event), expectedVersion(event)));
    },
    'POST /freezes/{id}/enforce': async (event) => {
      const actor = await who(event);
      const input = parseWith(FreezeStepSchema, jsonBody(event, deps.config.MAX_BODY_BYTES, false), 'body');
      return json(200, await enforceFreeze(cal, actor, id(event), input.comment));
    },
    'POST /freezes/{id}/lift': async (event) => {
      const actor = await who(event);
      const input = parseWith(FreezeStepSchema, jsonBody(event, deps.config.MAX_BODY_BYTES, false), 'body');
      return json(200, await liftFreeze(cal, actor, id(event), input.comment));
    },
    'POST /freezes/{id}/exceptions': async (event) => {
      const actor = await who(event);
      const input = body(FreezeExceptionSchema, event);
      return json(201, await askFreezeException(cal, actor, id(event), input.change, input.reason));
    },
    'POST /freezes/{id}/exceptions/{change}/decision': async (event) => {
      const actor = await who(event);
      const input = body(FreezeExceptionDecisionSchema, event);
      return json(200, await decideFreezeException(cal, actor, id(event), change(event), input.decision, input.comment));
    },
    'POST /freezes/{id}/exceptions/{change}/review': async (event) => {
      const actor = await who(event);
      return json(200, await reviewFreezeException(cal, actor, id(event), change(event), body(FreezeReviewSchema, event).comment));
    },
  };
}

export const makeHandler = (deps: FreezesHandlerDeps) => httpApi(freezeRoutes(deps));
