/**
 * The OpenAPI 3.1 document, generated from the same zod schemas that validate requests (zod's own
 * JSON Schema output; OpenAPI 3.1 speaks JSON Schema 2020-12), with routes from the route table.
 */
import { z } from 'zod';
import { ChangeContentSchema } from '../core/change-request.js';
import { ROUTE_GROUPS } from '../routes.js';
import { ErrorSchema, ListQuerySchema, PatchBodySchema, TransitionBodySchema } from './schemas.js';

const schema = (s: z.ZodType) => {
  const out = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete out.$schema;
  return out;
};

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const errors = (...codes: number[]) =>
  Object.fromEntries(codes.map((c) => [String(c), { description: ERROR_TEXT[c], content: { 'application/json': { schema: ref('Error') } } }]));

const ERROR_TEXT: Record<number, string> = {
  400: 'Invalid input; `issues` names each field and why',
  401: 'No or invalid bearer token',
  403: 'Role missing, or separation of duties',
  404: 'No such change request or action',
  409: 'Illegal transition, stale revision, or version conflict (`currentVersion`)',
  413: 'Body too large',
  415: 'Unsupported content type',
  422: 'Incomplete for this step; `issues` lists every missing field',
};

const OPERATIONS: Record<string, Record<string, unknown>> = {
  'GET /health': { summary: 'Liveness', responses: { 200: { description: 'OK' } } },
  'GET /templates/change-request.md': {
    summary: 'A blank change request template (Markdown)',
    responses: { 200: { description: 'The template', content: { 'text/markdown': {} } } },
  },
  'GET /openapi.json': { summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1' } } },
  'GET /changes': {
    summary: 'List change requests, newest first',
    parameters: Object.entries((schema(ListQuerySchema).properties ?? {}) as Record<string, unknown>).map(([name, s]) => ({
      name,
      in: 'query',
      required: false,
      schema: s,
    })),
    responses: { 200: { description: 'A page of change requests and the cursor of the next' }, ...errors(400, 401) },
  },
  'POST /changes': {
    summary: 'File a change request (JSON, or the Markdown template filled in)',
    requestBody: {
      required: true,
      content: { 'application/json': { schema: ref('ChangeContent') }, 'text/markdown': { schema: { type: 'string' } } },
    },
    responses: { 201: { description: 'Filed: id, state, computed risk level, required approvals, warnings' }, ...errors(400, 401, 413, 415) },
  },
  'GET /changes/{id}': {
    summary: 'A change request with its audit trail; `CR-….md` gives it as Markdown',
    responses: { 200: { description: 'The change request' }, ...errors(400, 401, 404) },
  },
  'PATCH /changes/{id}': {
    summary: 'Edit the content (JSON merge patch): a new revision, approvals cleared',
    requestBody: { required: true, content: { 'application/merge-patch+json': { schema: ref('ChangePatch') } } },
    responses: { 200: { description: 'The revised change request' }, ...errors(400, 401, 403, 404, 409, 413, 415) },
  },
  'POST /changes/{id}/{action}': {
    summary: 'A guarded transition: submit, approve, reject, cancel, schedule, start, complete, rollback',
    requestBody: { required: false, content: { 'application/json': { schema: ref('TransitionBody') } } },
    responses: { 200: { description: 'The change request after the transition' }, ...errors(400, 401, 403, 404, 409, 413, 415, 422) },
  },
};

export function openApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const group of ROUTE_GROUPS) {
    for (const route of group.routes) {
      const key = `${route.method} ${route.path}`;
      const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
      const op = OPERATIONS[key] ?? { responses: { 200: { description: 'OK' } } };
      paths[route.path] ??= {};
      paths[route.path]![route.method.toLowerCase()] = {
        ...op,
        parameters: [...params, ...((op.parameters as unknown[]) ?? [])],
        security: route.public ? [] : [{ bearer: [] }],
      };
    }
  }
  return {
    openapi: '3.1.0',
    info: { title: 'ChangeFlow', version: '0.1.0', description: 'Change management: the written process, enforced.' },
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: {
        ChangeContent: schema(ChangeContentSchema),
        ChangePatch: schema(PatchBodySchema),
        TransitionBody: schema(TransitionBodySchema),
        Error: schema(ErrorSchema),
      },
    },
  };
}
