/**
 * The contract is whole: the OpenAPI document is valid OpenAPI 3.1, and says for every route of the
 * route table what it takes (path and query parameters, bodies) and what it answers.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { openApiDocument, ROUTE_DOCS } from '../../functions/http/openapi.js';
import { ROUTE_GROUPS } from '../../functions/routes.js';

const doc = openApiDocument() as {
  paths: Record<string, Record<string, { parameters: { name: string; in: string }[]; requestBody?: unknown; responses: Record<string, unknown> }>>;
};
const routes = ROUTE_GROUPS.flatMap((g) => g.routes.map((r) => ({ ...r, key: `${r.method} ${r.path}` })));

describe('Rule: the OpenAPI document describes the API as it is', () => {
  it('is valid OpenAPI 3.1', async () => {
    const result = await new Validator().validate(doc as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it.each(routes)('$key is documented, with each of its path parameters', (route) => {
    const op = doc.paths[route.path]?.[route.method.toLowerCase()];
    expect(op, route.key).toBeDefined();
    const names = op!.parameters.filter((p) => p.in === 'path').map((p) => p.name);
    expect(names).toEqual([...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]));
  });

  it.each(routes.filter((r) => ROUTE_DOCS[r.key]?.query))('$key lists every query parameter its schema accepts', (route) => {
    const shape = (
      ROUTE_DOCS[route.key]!.query as unknown as {
        _zod: { def: { shape?: Record<string, unknown>; in?: { _zod: { def: { shape?: Record<string, unknown> } } } } };
      }
    )._zod.def;
    const accepted = Object.keys(shape.shape ?? shape.in?._zod.def.shape ?? {});
    const listed = doc.paths[route.path]![route.method.toLowerCase()]!.parameters.filter((p) => p.in === 'query').map((p) => p.name);
    expect(listed.sort()).toEqual(accepted.sort());
  });

  it.each(routes.filter((r) => r.method === 'POST' || r.method === 'PATCH'))('$key describes its body', (route) => {
    expect(doc.paths[route.path]![route.method.toLowerCase()]!.requestBody).toBeDefined();
  });

  it.each([
    ['POST /changes', '422'],
    ['POST /changes/{id}/{action}', '422'],
    ['PATCH /changes/{id}', '409'],
    ['GET /changes', '400'],
  ])('%s documents its %s answer', (key, status) => {
    const [method, path] = key.split(' ') as [string, string];
    expect(Object.keys(doc.paths[path]![method.toLowerCase()]!.responses)).toContain(status);
  });

  it('refuses to build a document for a route that has no docs', () => {
    expect(Object.keys(ROUTE_DOCS).sort()).toEqual(routes.map((r) => r.key).sort());
  });
});
