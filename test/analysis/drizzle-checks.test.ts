// Drizzle shapes from analysis-gaps.md: a `const [row] = ...` record checked against the principal, and
// an or(...) condition that must neither be claimed as scoping nor reported as an unscoped list.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FixtureProject, accessLines, repoRoot } from './harness.js';

const p = new FixtureProject(path.join(repoRoot, 'fixtures/express/drizzle-checks'));
const facts = (route: string) => p.facts('src/routes/todos.ts', route);

describe('Drizzle record checks and opaque conditions (drizzle-checks)', () => {
  it.each([
    ['GET /:id', 'read todos.select byRequestId=true(req.params.id) owner=userId scopedBy=check line=10'],
    ['GET /:id/unchecked', 'read todos.select byRequestId=true(req.params.id) owner=userId scopedBy=- line=17'],
    ['GET /search/:term', 'read todos.select byRequestId=false owner=userId scopedBy=- line=23'],
  ])('%s', (route, expected) => {
    expect(accessLines(facts(route))).toEqual([expected]);
  });
});
