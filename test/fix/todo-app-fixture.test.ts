// The README's example app is a real project: it type-checks, its holes are really exploitable, and
// its in-memory db supports every call shape the fixer produces (findFirst with the owner,
// updateMany/deleteMany with a count, P2025 from update/delete of a missing record).
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../fixtures/express/todo-app/src/app.js';
import { db, isNotFound } from '../../fixtures/express/todo-app/src/db.js';
import { compile, repoRoot } from '../helpers/temp-project.js';

const fixture = path.join(repoRoot, 'fixtures/express/todo-app');

describe('fixtures/express/todo-app', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createApp().listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('type-checks with its own tsconfig', async () => {
    await compile(fixture, ['--noEmit']);
  }, 600_000);

  it('has the documented holes', async () => {
    const post = (body: unknown) =>
      fetch(`${base}/api/todos`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    // Anyone creates todos in anyone's name, without credentials.
    const mallory = (await (await post({ title: 'pay mallory', userId: 'victim' })).json()) as { id: string; userId: string };
    expect(mallory.userId).toBe('victim');
    await post({ title: 'own todo', userId: 'alice' });
    // Anyone reads anyone's todo by id, and lists everyone's todos by leaving out userId.
    expect((await fetch(`${base}/api/todos/${mallory.id}`)).status).toBe(200);
    expect(((await (await fetch(`${base}/api/todos`)).json()) as unknown[]).length).toBeGreaterThanOrEqual(2);
    expect(await (await fetch(`${base}/api/todos?userId=alice`)).json()).toMatchObject([{ userId: 'alice' }]);
    expect((await fetch(`${base}/api/todos/${mallory.id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{"done":true}' })).status).toBe(200);
    expect((await fetch(`${base}/api/todos/${mallory.id}`, { method: 'DELETE' })).status).toBe(204);
    // A missing record is a 404 (P2025 mapped by the error handler), not a 500.
    expect((await fetch(`${base}/api/todos/${mallory.id}`, { method: 'DELETE' })).status).toBe(404);
    expect(await (await fetch(`${base}/health`)).json()).toEqual({ status: 'ok' });
  });

  it('db supports the owner-scoped shapes the fixer writes', async () => {
    const mine = await db.todo.create({ data: { title: 'mine', userId: 'u1' } });
    const theirs = await db.todo.create({ data: { title: 'theirs', userId: 'u2', done: true } });
    expect(mine.done).toBe(false);
    expect(await db.todo.findUnique({ where: { id: mine.id } })).toEqual(mine);
    expect(await db.todo.findFirst({ where: { id: theirs.id, userId: 'u1' } })).toBeNull();
    expect(await db.todo.findFirst({ where: { id: mine.id, userId: 'u1' } })).toEqual(mine);
    expect(await db.todo.findMany({ where: { userId: 'u2' } })).toEqual([theirs]);
    expect(await db.todo.updateMany({ where: { id: theirs.id, userId: 'u1' }, data: { done: false } })).toEqual({ count: 0 });
    expect(await db.todo.updateMany({ where: { id: mine.id, userId: 'u1' }, data: { done: true } })).toEqual({ count: 1 });
    expect((await db.todo.findUnique({ where: { id: mine.id } }))!.done).toBe(true);
    // Prisma 5 allows extra filters next to the unique field; a miss throws P2025.
    const miss = await db.todo.update({ where: { id: theirs.id, userId: 'u1' }, data: { done: false } }).catch((e: unknown) => e);
    expect(isNotFound(miss)).toBe(true);
    expect((miss as { code: string }).code).toBe('P2025');
    await expect(db.todo.delete({ where: { id: 'nope' } })).rejects.toMatchObject({ code: 'P2025' });
    expect(await db.todo.deleteMany({ where: { id: theirs.id, userId: 'u1' } })).toEqual({ count: 0 });
    expect(await db.todo.deleteMany({ where: { id: theirs.id, userId: 'u2' } })).toEqual({ count: 1 });
    expect(await db.todo.findUnique({ where: { id: theirs.id } })).toBeNull();
    // Returned records are copies: mutating one does not change the store.
    const copy = (await db.todo.findUnique({ where: { id: mine.id } }))!;
    copy.userId = 'u2';
    expect((await db.todo.findUnique({ where: { id: mine.id } }))!.userId).toBe('u1');
  });
});
