#!/usr/bin/env node
// Benchmark of scan() and listRoutes() on a synthetic Express project (see generate.mjs).
//
//   npm run bench                                   # build, generate ~2,000 files / 200,000 lines, 1 run
//   npm run bench -- --runs 5                       # best and median over 5 runs
//   npm run bench -- --dir /tmp/app                 # generate into (or reuse) a directory
//   npm run bench -- --files 500 --lines 50000 --json
//   npm run bench -- --cpu-prof /tmp/prof           # also profile one scan and print the hot spots
//   npm run bench -- --no-cache-figures             # skip the CLI cache / --staged figures (see cache.mjs)
//
// Every measurement runs in a fresh child process, as the CLI does, so runs are independent and memory
// figures belong to one scan. scan() is synchronous underneath, so a timer in the scanning thread never
// fires; memory is therefore taken from sources that need no timer:
//   - peak RSS: the child's own high-water mark, process.resourceUsage().maxRSS;
//   - peak heap: the child runs with --trace-gc, and V8 logs the used heap before and after every
//     collection. The heap peaks just before a collection, so the largest of those samples (and the
//     final heap) is the peak, sampled at every GC during the run. The child calls gc() (hence
//     --expose-gc) before starting so the baseline is clean.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cacheFigures } from './cache.mjs';
import { DEFAULTS, generateProject, parseArgs } from './generate.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const API = path.join(repo, 'dist/src/api.js');
const START = '@@bench-start';
const RESULT = '@@bench-result ';
const MB = 1024 * 1024;

const spec = {
  dir: 'string',
  files: 'number',
  lines: 'number',
  seed: 'number',
  runs: 'number',
  json: 'boolean',
  keep: 'boolean',
  'cpu-prof': 'string',
  'no-cache-figures': 'boolean',
  child: 'string', // internal: 'scan' or 'routes', run by the parent in a fresh process
};
let args = {};

// ---------------------------------------------------------------------------------------------------
// Parent: prepare the project, run the children, report

async function main() {
  if (!fs.existsSync(API)) throw new Error(`${path.relative(process.cwd(), API)} not found; run \`npm run build\` first`);
  const runs = Math.max(1, Math.floor(args.runs ?? 1));
  const size = { files: args.files ?? DEFAULTS.files, lines: args.lines ?? DEFAULTS.lines, seed: args.seed ?? DEFAULTS.seed };

  // Reuse --dir when it already holds a project; otherwise generate (into --dir or a temp dir).
  const dir = args.dir ? path.resolve(args.dir) : fs.mkdtempSync(path.join(os.tmpdir(), 'auth-enforcer-bench-'));
  const reused = args.dir !== undefined && fs.existsSync(path.join(dir, 'src')) && args.files === undefined && args.lines === undefined;
  let generated;

  try {
    if (!reused) {
      const t0 = performance.now();
      generated = generateProject({ ...size, out: dir });
      log(`generated ${generated.files} files, ${fmt(generated.lines)} lines, ${generated.routes} routes in ${dir} (${ms(performance.now() - t0)} ms)`);
    } else {
      log(`reusing ${dir}`);
    }
    const { files, lines } = countSources(dir);
    const scans = [];
    const lists = [];
    for (let i = 0; i < runs; i++) {
      const profDir = i === 0 ? args['cpu-prof'] : undefined;
      scans.push(await runChild('scan', dir, profDir));
      lists.push(await runChild('routes', dir));
      log(`run ${i + 1}/${runs}: scan ${ms(scans[i].ms)} ms, listRoutes ${ms(lists[i].ms)} ms`);
    }
    const s = scans[0];
    // best: the fastest run (lowest time or memory, highest throughput); median: the typical one.
    const stat = (xs, higherIsBetter = false) => ({ best: higherIsBetter ? Math.max(...xs) : Math.min(...xs), median: round1(median(xs)) });
    const report = {
      node: process.version,
      files,
      lines,
      filesScanned: s.files,
      routes: s.routes,
      expectedRoutes: generated?.routes,
      findings: s.findings,
      errors: s.errors,
      warnings: s.warnings,
      diagnostics: s.diagnostics,
      runs,
      scanMs: stat(scans.map((x) => Math.round(x.ms))),
      linesPerSec: stat(scans.map((x) => Math.round(lines / (x.ms / 1000))), true),
      listRoutesMs: stat(lists.map((x) => Math.round(x.ms))),
      peakRssMB: stat(scans.map((x) => round1(x.peakRss / MB))),
      peakHeapMB: stat(scans.map((x) => round1(x.peakHeap / MB))),
      gcCount: median(scans.map((x) => x.gcs)),
    };
    if (!args['no-cache-figures']) {
      log('cache figures: real CLI runs on a git copy of the project ...');
      report.cli = cacheFigures(repo, dir);
    }
    if (args.json) console.log(JSON.stringify(report));
    else printTable(report, dir);
    if (args['cpu-prof']) printHotSpots(args['cpu-prof']);
  } finally {
    if (!args.dir && !args.keep) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs one measurement in a fresh node process and reads its result and GC trace from stdout. */
function runChild(mode, dir, profDir) {
  const flags = ['--expose-gc', '--trace-gc'];
  if (profDir) flags.push('--cpu-prof', `--cpu-prof-dir=${path.resolve(profDir)}`);
  const proc = spawn(process.execPath, [...flags, fileURLToPath(import.meta.url), '--child', mode, '--dir', dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  proc.stdout.setEncoding('utf8').on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    proc.on('error', reject);
    proc.on('close', (code) => {
      const lines = out.split('\n');
      const start = lines.indexOf(START);
      const resultLine = lines.find((l) => l.startsWith(RESULT));
      if (code !== 0 || start < 0 || !resultLine) return reject(new Error(`${mode} child failed (exit ${code})\n${out.slice(-2000)}`));
      const result = JSON.parse(resultLine.slice(RESULT.length));
      // "Mark-Compact 120.5 (150.2) -> 100.1 (140.3) MB": used (committed) before -> after, in MB.
      let peak = result.heapUsed;
      let gcs = 0;
      for (const l of lines.slice(start + 1)) {
        const m = /(\d+(?:\.\d+)?) \(\d+(?:\.\d+)?\) -> (\d+(?:\.\d+)?) \(\d+(?:\.\d+)?\) MB/.exec(l);
        if (!m) continue;
        gcs++;
        peak = Math.max(peak, Number(m[1]) * MB, Number(m[2]) * MB);
      }
      resolve({ ...result, peakHeap: peak, gcs });
    });
  });
}

function printTable(r, dir) {
  const rows = [
    ['scan wall time (ms)', r.scanMs],
    ['lines per second', r.linesPerSec],
    ['listRoutes wall time (ms)', r.listRoutesMs],
    ['peak RSS (MB)', r.peakRssMB],
    ['peak heap used (MB)', r.peakHeapMB],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  console.log('');
  console.log(`auth-enforcer bench  ${r.node}  ${dir}`);
  console.log(
    `files ${fmt(r.files)} (scanned ${fmt(r.filesScanned)})  lines ${fmt(r.lines)}  routes ${fmt(r.routes)}` +
      `${r.expectedRoutes !== undefined ? ` (generated ${fmt(r.expectedRoutes)})` : ''}  findings ${fmt(r.findings)} ` +
      `(${r.errors} errors, ${r.warnings} warnings)  diagnostics ${r.diagnostics}  GCs ${r.gcCount}`,
  );
  console.log('');
  console.log(`${''.padEnd(w)}  ${'best'.padStart(10)}  ${'median'.padStart(10)}   (${r.runs} run${r.runs > 1 ? 's' : ''})`);
  for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${fmt(v.best).padStart(10)}  ${fmt(v.median).padStart(10)}`);
  console.log('');
  if (!r.cli) return;
  const cw = Math.max(...r.cli.map((c) => c.step.length));
  console.log(`${'CLI, wall time of one process'.padEnd(cw)}  ${'ms'.padStart(7)}  cache`);
  for (const c of r.cli) console.log(`${c.step.padEnd(cw)}  ${fmt(c.ms).padStart(7)}  ${c.cache}`);
  console.log('');
}

/** Top self time by function and by file from the .cpuprofile files in `dir`. */
function printHotSpots(dir, top = 15) {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  const newest = files.map((f) => path.join(dir, f)).sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
  if (!newest) return;
  const prof = JSON.parse(fs.readFileSync(newest, 'utf8'));
  const total = prof.endTime - prof.startTime; // microseconds
  const tick = total / Math.max(1, prof.samples.length);
  const byFn = new Map();
  const byFile = new Map();
  const short = (url) => (url ? fileURLToPath(url.startsWith('file:') ? url : pathToFileURL(url)).replace(`${repo}/`, '') : '(native)');
  for (const n of prof.nodes) {
    if (!n.hitCount) continue;
    const { functionName, url, lineNumber } = n.callFrame;
    const file = short(url);
    const key = `${functionName || '(anonymous)'}  ${file}${url ? `:${lineNumber + 1}` : ''}`;
    byFn.set(key, (byFn.get(key) ?? 0) + n.hitCount * tick);
    byFile.set(file, (byFile.get(file) ?? 0) + n.hitCount * tick);
  }
  const show = (title, m) => {
    console.log(title);
    for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`  ${ms(us / 1000).padStart(7)} ms  ${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`);
    }
    console.log('');
  };
  console.log(`cpu profile: ${newest} (whole process, ${ms(total / 1000)} ms)`);
  show('self time by function:', byFn);
  show('self time by file:', byFile);
}

// ---------------------------------------------------------------------------------------------------
// Child: one scan() or listRoutes() in a clean process

async function child(mode, dir) {
  const api = await import(pathToFileURL(API).href);
  globalThis.gc?.();
  const opts = { paths: [dir], cwd: dir };
  console.log(START);
  const t0 = performance.now();
  const res = mode === 'scan' ? await api.scan(opts) : await api.listRoutes(opts);
  const elapsed = performance.now() - t0;
  const heapUsed = process.memoryUsage().heapUsed;
  const out = { ms: elapsed, heapUsed, peakRss: process.resourceUsage().maxRSS * 1024, routes: res.routes.length, diagnostics: res.diagnostics.length };
  if (mode === 'scan') Object.assign(out, { files: res.summary.files, findings: res.findings.length, errors: res.summary.errors, warnings: res.summary.warnings });
  console.log(RESULT + JSON.stringify(out));
}

// ---------------------------------------------------------------------------------------------------
// Helpers

/** Source files and lines under `dir`, as the scanner sees them (node_modules, dist and .d.ts left out). */
function countSources(dir) {
  let files = 0;
  let lines = 0;
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (!['node_modules', 'dist', '.git'].includes(e.name)) walk(p);
      } else if (/\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/.test(e.name) && !/\.d\.[mc]?ts$/.test(e.name)) {
        files++;
        const text = fs.readFileSync(p, 'utf8');
        lines += text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
      }
    }
  };
  walk(dir);
  return { files, lines };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const round1 = (x) => Math.round(x * 10) / 10;
const ms = (x) => String(Math.round(x));
const fmt = (x) => (typeof x === 'number' ? x.toLocaleString('en-US') : String(x));
function log(msg) {
  if (!args.json) console.error(msg);
}

// Last, so every declaration above is initialised.
try {
  args = parseArgs(process.argv.slice(2), spec);
  if (args.child) await child(args.child, args.dir);
  else await main();
} catch (err) {
  console.error(`bench: ${err.message}`);
  process.exit(2);
}
