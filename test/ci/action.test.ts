// action.yml: its structure, and its shell steps run for real (inputs and step outputs substituted the
// way the runner does) on a temp project; the `uses:` steps (setup-node, upload-sarif) are GitHub's.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { removeTempProject, repoRoot } from '../helpers/temp-project.js';
import { run } from '../cli/fake.js';
import { ensureBuilt, expressProject, linkBins, read, write } from './project.js';

interface Step {
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  shell?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
}
interface Action {
  inputs: Record<string, { default: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

const action = parse(fs.readFileSync(path.join(repoRoot, 'action.yml'), 'utf8')) as Action;

let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = expressProject('action');
  linkBins(dir, { 'auth-enforcer': 'bin/auth-enforcer.js' });
}, 600_000);
afterAll(() => removeTempProject(dir));

/** Runs every `run:` step in order like the runner: expressions substituted, step outputs collected. */
/** The action as a job runs it; `args` strict, as in the CLI tests (test/cli/fake.ts): every open route of the small project is a finding. */
function runAction(inputs: Record<string, string> = {}) {
  const values = { ...Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k, String(v.default)])), args: '--missing-auth strict', ...inputs };
  const outputs: Record<string, Record<string, string>> = {};
  const summaryFile = path.join(dir, '.summary.md');
  fs.writeFileSync(summaryFile, '');
  const expr = (s: string) =>
    s.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_m, e: string) => {
      const input = /^inputs\.([\w-]+)$/.exec(e);
      if (input) return values[input[1]!] ?? '';
      if (e === 'github.action_path') return repoRoot;
      const out = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(e);
      if (out) return outputs[out[1]!]?.[out[2]!] ?? '';
      throw new Error(`unhandled expression ${e}`);
    });
  const results: { id?: string; code: number | null; output: string }[] = [];
  for (const step of action.runs.steps) {
    if (!step.run) continue;
    const outFile = path.join(dir, '.gh-output');
    fs.writeFileSync(outFile, '');
    const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expr(String(v))]));
    const r = spawnSync('bash', ['-c', expr(step.run)], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, ...env, GITHUB_OUTPUT: outFile, GITHUB_STEP_SUMMARY: summaryFile, NO_COLOR: '1' },
    });
    if (step.id) {
      outputs[step.id] = Object.fromEntries(
        fs.readFileSync(outFile, 'utf8').split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
    }
    results.push({ ...(step.id ? { id: step.id } : {}), code: r.status, output: `${r.stdout}${r.stderr}` });
  }
  const sarif = JSON.parse(read(dir, 'auth-enforcer.sarif')) as { runs: { results: { ruleId: string; message: { text: string } }[] }[] };
  return { results, outputs, summary: read(dir, '.summary.md'), sarifMessages: sarif.runs[0]!.results.map((r) => r.message.text) };
}

describe('action.yml', () => {
  it('is a composite action: setup-node, the scan script, SARIF upload even on failure, then the verdict', () => {
    expect(action.runs.using).toBe('composite');
    const [setup, scan, upload, verdict] = action.runs.steps;
    expect(setup!.uses).toBe('actions/setup-node@v4');
    expect(scan).toMatchObject({ id: 'scan', shell: 'bash', run: 'bash "${{ github.action_path }}/action/scan.sh"' });
    expect(fs.existsSync(path.join(repoRoot, 'action/scan.sh'))).toBe(true);
    expect(upload!.uses).toBe('github/codeql-action/upload-sarif@v3');
    expect(upload!.if).toMatch(/^always\(\) && inputs\.upload-sarif == 'true'/);
    expect(upload!.with).toEqual({ sarif_file: '${{ steps.scan.outputs.sarif-file }}', category: 'auth-enforcer' });
    expect(verdict!.shell).toBe('bash');
    expect(action.outputs['exit-code']!.value).toBe('${{ steps.scan.outputs.exit-code }}');
  });

  it('without a baseline: every finding in SARIF and the summary, and the job fails', () => {
    const r = runAction();
    expect(r.results.map((s) => s.code)).toEqual([0, 1]);
    expect(r.outputs['scan']).toEqual({ 'exit-code': '1', 'sarif-file': 'auth-enforcer.sarif' });
    expect(r.sarifMessages).toHaveLength(3);
    expect(r.summary).toContain('## auth-enforcer\n\n❌ **3 problems (3 errors, 0 warnings)**');
    expect(r.results[1]!.output).toContain('::error::auth-enforcer found new problems; see the job summary');
  });

  it('with a baseline: SARIF still complete, the summary says what is baselined, the job passes', async () => {
    await run(['scan', '--baseline', 'auth-enforcer.baseline.json', '--update-baseline'], { cwd: dir });
    const r = runAction();
    expect(r.results.map((s) => s.code)).toEqual([0, 0]);
    expect(r.outputs['scan']!['exit-code']).toBe('0');
    expect(r.sarifMessages).toHaveLength(3);
    expect(r.summary).toBe('## auth-enforcer\n\n✅ No problems found in 4 routes.\n\n_3 findings in the baseline not shown._\n');
  });

  it('a new finding fails the job and is the only one in the summary', () => {
    write(dir, 'src/app.ts', read(dir, 'src/app.ts').replace('app.listen(3000);', "app.get('/debug', (_req, res) => res.json({}));\napp.listen(3000);"));
    const r = runAction();
    expect(r.results.map((s) => s.code)).toEqual([0, 1]);
    expect(r.sarifMessages).toHaveLength(4);
    expect(r.summary).toContain('❌ **1 problem (1 error, 0 warnings)**');
    expect(r.summary).toContain('`GET /debug`');
    expect(r.summary).not.toContain('`GET /health`');
    expect(r.summary).toContain('_3 findings in the baseline not shown._');
  });

  it("without the project's own install it runs the action's checkout", () => {
    fs.rmSync(path.join(dir, 'node_modules'), { recursive: true });
    try {
      const r = runAction();
      expect(r.outputs['scan']!['exit-code']).toBe('1');
      expect(r.summary).toContain('`GET /debug`');
    } finally {
      linkBins(dir, { 'auth-enforcer': 'bin/auth-enforcer.js' });
    }
  });

  it('fail-on-findings: false reports without failing; a config error fails the scan step', () => {
    expect(runAction({ 'fail-on-findings': 'false' }).results.map((s) => s.code)).toEqual([0, 0]);
    write(dir, 'auth-enforcer.config.json', '{ "guard": [] }\n');
    const r = runAction();
    expect(r.results[0]!.code).toBe(2);
    expect(r.results[0]!.output).toContain('::error::auth-enforcer could not scan (exit 2)');
    fs.rmSync(path.join(dir, 'auth-enforcer.config.json'));
  });
});
