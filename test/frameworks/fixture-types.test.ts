// Every Fastify and Nest fixture is a real project that type-checks against the framework's own types, so the
// shapes the scan is tested on are shapes TypeScript accepts (Nest 11 and Fastify from the root node_modules).
import fs from 'node:fs';
import { expect, it } from 'vitest';
import { fixture } from '../helpers/fixtures.js';
import { typeCheckProject } from '../helpers/type-check.js';

const projects = ['fastify', 'nest'].flatMap((framework) => fs.readdirSync(fixture(framework)).map((name) => `${framework}/${name}`));

it.each(projects)('fixture %s type-checks', (project) => {
  const [framework, name] = project.split('/') as [string, string];
  expect(typeCheckProject(fixture(framework, name), ['--noEmit'])).toBe('');
});
