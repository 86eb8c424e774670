// Nest code queries in injected services: the handler facts must follow `this.todosService.x(id)`
// into the service and recognise TypeORM repositories injected with @InjectRepository.
import { describe, expect, it } from 'vitest';
import { analyzeHandler } from '../../src/analysis/handler-facts.js';
import { loadOwnerSchema } from '../../src/analysis/schema/index.js';
import { runScan } from '../../src/pipeline/scan.js';
import { Resolver } from '../../src/syntax/resolve.js';
import { fixture, repoRoot } from '../helpers/fixtures.js';

function factsOf(name: string) {
  const run = runScan({ paths: [fixture('nest', name)], cwd: repoRoot });
  const schema = loadOwnerSchema(run.project.files, run.project.root, run.project.config);
  const resolver = new Resolver(run.project.modules, run.project.files);
  const byRoute = new Map<string, ReturnType<typeof analyzeHandler>>();
  for (const r of run.records) {
    byRoute.set(`${r.route.method} ${r.route.path}`, analyzeHandler(r.handler!, r.requestSpec!, { resolver, schema, config: run.project.config, root: run.project.root }));
  }
  return { schema, byRoute };
}

describe('nest + TypeORM: queries in an injected service', () => {
  const { schema, byRoute } = factsOf('typeorm-service-query');
  const accesses = (route: string) =>
    byRoute.get(route)!.dataAccesses.map((d) => `${d.layer} ${d.model}.${d.operation} ${d.kind} byRequestId=${d.byRequestId} scopedBy=${d.scopedBy ?? '-'} ${d.loc.file}:${d.loc.line}`);

  it('learns the owner of an entity from @ManyToOne(() => User) and its foreign-key column', () => {
    expect(schema.get('Todo', 'typeorm')).toMatchObject({ name: 'Todo', layer: 'typeorm', idField: 'id', ownerField: 'ownerId', aliases: ['todos'] });
    expect(schema.get('User', 'typeorm')?.ownerField).toBeUndefined();
  });

  it('follows @Param ids into findOneBy, update and findOneByOrFail (the find before remove)', () => {
    expect(accesses('GET /todos/:id')).toEqual(['typeorm Todo.findOneBy read byRequestId=true scopedBy=- src/todos/todos.service.ts:12']);
    expect(accesses('PATCH /todos/:id')).toEqual(['typeorm Todo.update update byRequestId=true scopedBy=- src/todos/todos.service.ts:22']);
    expect(accesses('DELETE /todos/:id')).toEqual([
      'typeorm Todo.findOneByOrFail read byRequestId=true scopedBy=- src/todos/todos.service.ts:26',
      // remove(todo) writes back the record read by the request id: a delete by that id
      'typeorm Todo.remove delete byRequestId=true scopedBy=- src/todos/todos.service.ts:27',
    ]);
  });

  it('a query bound to req.user.id is scoped; a DTO carrying ownerId into save() is mass assignment', () => {
    expect(accesses('GET /todos/:id/mine')).toEqual(['typeorm Todo.findOneBy read byRequestId=true scopedBy=query src/todos/todos.service.ts:16']);
    expect(byRoute.get('POST /todos')!.identityUses.map((u) => `${u.field} ${u.source} ${u.sink} ${u.model}`)).toEqual(['ownerId body mass-assignment Todo']);
  });
});
