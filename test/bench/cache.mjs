// Cache and pre-commit figures for `npm run bench`: the real CLI on a git copy of the synthetic project.
//
//   cold             scan with an empty cache (node_modules/.cache/auth-enforcer removed)
//   warm             the same scan again: a cache hit
//   staged, docs     `scan --staged` with only a markdown file staged: no source changed, nothing analysed
//   staged, route    `scan --staged` with one route file edited and staged: a slice scan (src/cache/slice.ts)
//   staged, again    the same staged state once more: a hit on the last slice's merged result
//   staged, service  a service file edited too: a slice through the controllers and routes that import it
//   staged, app.ts   the app file edited too: on the way to every route, so every route file is in the slice
//
// Each figure is the wall time of a fresh `node bin/auth-enforcer.js` process, as a hook or CI step sees it,
// with the cache status the CLI reports under AUTH_ENFORCER_DEBUG=1 and, for a slice, its size.

import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Runs the figures on a copy of `projectDir` and returns `[{ step, ms, cache, exit }]`. */
export function cacheFigures(repo, projectDir) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'auth-enforcer-bench-cache-'));
  try {
    fs.cpSync(projectDir, work, { recursive: true, filter: (src) => !src.includes(`${path.sep}.git`) });
    // The cache lives in node_modules/.cache, so the project needs a node_modules folder.
    fs.mkdirSync(path.join(work, 'node_modules'), { recursive: true });
    fs.writeFileSync(path.join(work, '.gitignore'), 'node_modules/\n');
    fs.writeFileSync(path.join(work, 'README.md'), '# bench\n');
    const git = (...args) => execFileSync('git', args, { cwd: work, stdio: 'ignore' });
    git('init', '-q');
    git('add', '-A');
    git('-c', 'user.name=bench', '-c', 'user.email=bench@example.com', 'commit', '-qm', 'synthetic project');

    const cli = path.join(repo, 'bin/auth-enforcer.js');
    const run = (step, extra = []) => {
      const t0 = performance.now();
      const res = spawnSync(process.execPath, [cli, 'scan', '.', '--format', 'json', '--quiet', ...extra], {
        cwd: work,
        env: { ...process.env, AUTH_ENFORCER_DEBUG: '1', NO_COLOR: '1' },
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
      });
      const ms = performance.now() - t0;
      if (res.status !== 0 && res.status !== 1) throw new Error(`${step}: exit ${res.status}\n${res.stderr.slice(-2000)}`);
      const cache = /auth-enforcer: cache (.+)/.exec(res.stderr)?.[1] ?? 'not consulted';
      return { step, ms: Math.round(ms), cache, exit: res.status };
    };

    fs.rmSync(path.join(work, 'node_modules/.cache'), { recursive: true, force: true });
    const out = [run('cold: full scan, empty cache'), run('warm: same scan, unchanged files')];

    fs.appendFileSync(path.join(work, 'README.md'), '\nMore words.\n');
    git('add', 'README.md');
    out.push(run('--staged, one markdown file', ['--staged']));

    const routeFile = findRouteFile(work);
    fs.appendFileSync(routeFile, "\n// touched by the bench\n");
    git('add', path.relative(work, routeFile));
    out.push(run('--staged, one route file', ['--staged']));
    out.push(run('--staged, same state again', ['--staged']));

    const serviceFile = routeFile.replace(/\.routes\.ts$/, '.service.ts');
    fs.appendFileSync(serviceFile, '\n// touched by the bench\n');
    git('add', path.relative(work, serviceFile));
    out.push(run('--staged, and its service file', ['--staged']));

    fs.appendFileSync(path.join(work, 'src/app.ts'), '\n// touched by the bench\n');
    git('add', 'src/app.ts');
    out.push(run('--staged, and src/app.ts', ['--staged']));
    return out;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function findRouteFile(dir) {
  const stack = [path.join(dir, 'src')];
  while (stack.length) {
    const d = stack.pop();
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.name.endsWith('.routes.ts')) return p;
    }
  }
  throw new Error(`no *.routes.ts file under ${dir}/src`);
}
