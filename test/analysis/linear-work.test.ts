// "No exponential paths": following values through functions is memoised and bounded. A real project's recursive
// evaluator once cost 12 s of CPU because return values were followed to depth 6 without a memo. The budget is on
// the work the resolver does (expressions followed), never on the clock: a busy machine must not fail this test.
import { afterAll, describe, expect, it } from 'vitest';
import { runScan } from '../../src/pipeline/scan.js';
import { makeTempProject, removeTempProject } from '../helpers/temp-project.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeTempProject));

/**
 * `n` mutually recursive helpers, each returning a member of another's result on four paths (a walk without a
 * memo multiplies by four per step: about 80,000 expressions followed here, against under 1,000 with it), a self-recursive evaluator with three recursive calls per case, and an app reached
 * only through the helpers.
 */
function recursiveProject(n: number): string {
  let helpers = "import express from 'express';\n";
  for (let i = 0; i < n; i++) {
    helpers += `export function f${i}(depth: number): any {
  if (depth > 7) return f${(i + 1) % n}(depth - 1).app;
  if (depth > 5) return f${(i + 2) % n}(depth - 2).app;
  if (depth > 3) return f${(i + 3) % n}(depth - 3).app;
  if (depth > 1) return f${(i + 4) % n}(depth - 4).app;
  return { app: express() };
}
`;
  }
  helpers += `export function evaluate(node: any): any {
  switch (node.op) {
    case '+': return evaluate(node.left) + evaluate(node.right) + evaluate(node.extra);
    case '-': return evaluate(node.left) - evaluate(node.right) - evaluate(node.extra);
    default: return node.value;
  }
}
`;
  const dir = makeTempProject(`linear-work-${n}`, {
    'package.json': JSON.stringify({ name: 'linear-work', private: true, type: 'module', dependencies: { express: '^5.1.0' } }),
    'src/helpers.ts': helpers,
    'src/app.ts': `import { evaluate, f0 } from './helpers.js';
export const app = f0(${n}).app;
app.get('/calc', (req: any, res: any) => {
  res.json({ value: evaluate(req.body), by: req.user.id });
});
`,
  });
  dirs.push(dir);
  return dir;
}

describe('analysis work grows with the project, not with its paths', () => {
  it('deeply and mutually recursive helpers are followed once each: the work stays within a budget as the helpers double', () => {
    const work = [20, 40, 80].map((n) => {
      const dir = recursiveProject(n);
      const run = runScan({ paths: [dir], cwd: dir });
      // The app is still found through the helpers, and the route judged.
      expect(run.result.routes.map((r) => `${r.method} ${r.path} ${r.auth.status}`)).toEqual(['GET /calc unprotected']);
      return run.work;
    });
    expect(work[1]).toBeLessThanOrEqual(2 * work[0] + 50);
    expect(work[2]).toBeLessThanOrEqual(2 * work[1] + 50);
    for (const w of work) expect(w).toBeLessThan(5_000);
  });
});
