import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ts } from 'ts-morph';
import { afterAll, describe, expect, it } from 'vitest';
import { Provenance } from '../../src/analysis/provenance.js';
import { testExpressSpec } from './express-test-spec.js';
import { FixtureProject, describeOrigin, sinkArgument } from './harness.js';

// Each handler passes one value to `sink(...)`; the test asks where that value comes from.
const source = `
import express from 'express';
import { plainToInstance } from 'class-transformer';
import { z } from 'zod';
import { normalise } from './util.js';

const app = express();
const schema = z.object({ userId: z.string(), title: z.string() });
class CreateTodoDto { userId!: string }
function sink(..._values: unknown[]) {}

app.post('/destructured', (req, res) => { const { id } = req.params; sink(id); });
app.post('/renamed', (req, res) => { const { params: { id: todoId } } = req; sink(todoId); });
app.post('/converted', async (req, res) => { const page = parseInt(String(await req.query.page), 10); sink(page); });
app.post('/template', (req, res) => { sink(\`todo-\${req.params.id}\`); });
app.post('/parsed', (req, res) => { const data = schema.parse(req.body); sink(data.userId); });
app.post('/safe-parsed', (req, res) => { const r = schema.safeParse(req.body); if (r.success) sink(r.data.userId); });
app.post('/dto', (req, res) => { const dto = plainToInstance(CreateTodoDto, req.body); sink(dto.userId); });
app.post('/header', (req, res) => { sink(req.get('x-user-id')); });
app.post('/helper', (req, res) => { sink(normalise(req.params.id)); });
app.post('/param-destructured', ({ body }, res) => { sink(body.userId); });
app.post('/principal', (req, res) => { const me = req.user!; sink(me.id); });
app.post('/locals', (req, res) => { sink(res.locals.user.id); });
app.post('/rest-without', (req, res) => { const { userId, ...rest } = req.body; sink(rest.userId); });
app.post('/rest-with', (req, res) => { const { userId, ...rest } = req.body; sink(rest.title); });
app.post('/neither', (req, res) => { const fixed = 'x'; sink(fixed, req.method); });
app.post('/assign', (req, res) => { const extra = { done: req.query.done }; sink(Object.assign({}, req.body, { title: 'x' }, extra)); });
app.post('/spread', (req, res) => { const data = { ...req.body, userId: req.user!.id }; sink(data); });
app.post('/fallback', (req, res) => { sink(req.body.owner ?? req.user!.id); });
`;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ae-provenance-'));
fs.writeFileSync(path.join(dir, 'package.json'), '{ "type": "module", "dependencies": { "express": "*" } }');
fs.mkdirSync(path.join(dir, 'src'));
fs.writeFileSync(path.join(dir, 'src/app.ts'), source);
fs.writeFileSync(path.join(dir, 'src/util.ts'), 'export function normalise(id: string) {\n  return id.trim().toLowerCase();\n}\n');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const project = new FixtureProject(dir);

function originAt(route: string): string {
  const fn = project.handler('src/app.ts', `POST ${route}`);
  const prov = new Provenance(testExpressSpec(fn), project.resolver);
  return describeOrigin(prov.origin(sinkArgument(fn)));
}

describe('Provenance.origin', () => {
  it.each([
    ['/destructured', 'request:params[id]'],
    ['/renamed', 'request:params[id]'],
    ['/converted', 'request:query[page]'],
    ['/template', 'request:params[id]'],
    ['/parsed', 'request:body[userId]'],
    ['/safe-parsed', 'request:body[userId]'],
    ['/dto', 'request:body[userId]'],
    ['/header', 'request:headers[x-user-id]'],
    ['/helper', 'request:params[id]'],
    ['/param-destructured', 'request:body[userId]'],
    ['/principal', 'principal[id]'],
    ['/locals', 'principal[id]'],
    ['/rest-without', 'none'],
    ['/rest-with', 'request:body[title]'],
    ['/neither', 'none'],
    // Any client-controlled alternative makes the value client-controlled.
    ['/fallback', 'request:body[owner]'],
  ])('%s → %s', (route, expected) => {
    expect(originAt(route)).toBe(expected);
  });

  it('builds object shapes through spreads and Object.assign', () => {
    const shapeAt = (route: string) => {
      const fn = project.handler('src/app.ts', `POST ${route}`);
      const prov = new Provenance(testExpressSpec(fn), project.resolver);
      let arg: ts.Expression | undefined;
      const visit = (n: ts.Node): void => {
        if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'sink') arg = n.arguments[0];
        ts.forEachChild(n, visit);
      };
      visit(fn);
      const shape = prov.shape(arg!);
      return shape?.entries.map((e) => (e.kind === 'prop' ? `${e.key}=${describeOrigin(e.origin)}` : `...${describeOrigin(e.origin)}`));
    };
    expect(shapeAt('/assign')).toEqual(['...request:body[]', 'title=none', 'done=request:query[done]']);
    expect(shapeAt('/spread')).toEqual(['...request:body[]', 'userId=principal[id]']);
  });
});
