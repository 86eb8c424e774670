#!/usr/bin/env node
// Scores the scan against the hand labels in bench/corpus/ (see bench/corpus/README.md).
//
//   npm run accuracy -- --repos DIR                 # every labelled project unpacked under DIR/<owner>__<name>
//   npm run accuracy -- --repos DIR --split holdout # one split (practice | dev | holdout | holdout2 | holdout3 | holdout4 | holdout5 | holdout6 | holdout7 | holdout8)
//   npm run accuracy -- --repos DIR --only kutt     # projects whose repo name contains a word
//   npm run accuracy -- --repos DIR --verbose       # also every disagreement, route by route
//   npm run accuracy -- --repos DIR --json out.json # every figure and disagreement as JSON
//
// A benchmark, not a test: it needs the projects' code, which is never committed.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import picomatch from 'picomatch';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');
const corpus = path.join(here, 'corpus');
const SPLITS = ['practice', 'dev', 'holdout', 'holdout2', 'holdout3', 'holdout4', 'holdout5', 'holdout6', 'holdout7', 'holdout8'];
const OWNERSHIP_RULES = ['unscoped-query', 'user-id-from-request'];

const args = parseArgs(process.argv.slice(2));
if (!args.repos) {
  console.error('usage: npm run accuracy -- --repos DIR [--split practice|dev|holdout|holdout2|holdout3|holdout4|holdout5|holdout6|holdout7|holdout8] [--only WORD] [--verbose] [--json FILE]');
  process.exit(2);
}
const { scan } = await import(pathToFileURL(path.join(repo, 'dist/src/api.js')).href);

const labels = loadLabels(args.split);
const results = [];
for (const label of labels) {
  if (args.only && !label.repo.toLowerCase().includes(args.only.toLowerCase())) continue;
  const dir = path.join(path.resolve(args.repos), label.repo.replace('/', '__'));
  if (!fs.existsSync(dir)) {
    console.error(`skip ${label.repo}: not unpacked at ${dir}`);
    continue;
  }
  const root = path.join(dir, label.root ?? '');
  const started = Date.now();
  let result;
  try {
    result = await scan({ paths: [root], cwd: root });
  } catch (err) {
    console.error(`fail ${label.repo}: ${err.message}`);
    results.push({ label, error: String(err.message) });
    continue;
  }
  results.push({ label, ms: Date.now() - started, ...score(label, result) });
}

report(results);
if (args.json) fs.writeFileSync(args.json, JSON.stringify(results.map(({ label, ...r }) => ({ repo: label.repo, split: label.split, framework: label.framework, ...r })), null, 2));

// ---------------------------------------------------------------------------------------------------

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--verbose') out.verbose = true;
    else if (['--repos', '--split', '--only', '--json'].includes(a)) out[a.slice(2)] = argv[++i];
    else {
      console.error(`unknown argument ${a}`);
      process.exit(2);
    }
  }
  return out;
}

function loadLabels(only) {
  const out = [];
  for (const split of SPLITS) {
    if (only && only !== split) continue;
    const dir = path.join(corpus, split);
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
      const label = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
      out.push({ ...label, split });
    }
  }
  return out;
}

/** Route identity across the labels and the scan: method and path, parameter names ignored. */
function routeKey(method, p) {
  let norm = p.replace(/\/+$/, '') || '/';
  // A parameter's pattern may hold a slash (Hono `:handle{@[^/]+}`): drop the pattern first.
  norm = norm.replace(/(:\w+)\{[^}]*\}/g, '$1').replace(/:[^/]+/g, ':');
  return `${method.toUpperCase()} ${norm}`;
}

function dynamicMatches(routes, key) {
  return routes.filter((r) => {
    if (!r.path.includes('<dynamic>')) return false;
    const [method, rest] = routeKey(r.method, r.path).split(' ');
    const pattern = new RegExp(`^${rest.split('<dynamic>').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    return key.startsWith(`${method} `) && pattern.test(key.slice(method.length + 1));
  });
}

function score(label, result) {
  const inScope = label.labelledFiles?.length ? picomatch(label.labelledFiles, { dot: true }) : () => true;
  const toolRoutes = result.routes.filter((r) => inScope(r.loc.file));
  const missingAuth = new Map();
  const unresolved = new Map();
  const ownership = new Map(OWNERSHIP_RULES.map((id) => [id, new Set()]));
  for (const f of result.findings) {
    if (!f.route) continue;
    const key = routeKey(f.route.method, f.route.path);
    if (f.ruleId === 'missing-auth') {
      const prev = missingAuth.get(key);
      if (!prev || f.severity === 'error') missingAuth.set(key, f);
    } else if (f.ruleId === 'unresolved-auth') unresolved.set(key, f);
    else if (ownership.has(f.ruleId)) ownership.get(f.ruleId).add(key);
  }

  const byKey = new Map();
  for (const r of toolRoutes) {
    const key = routeKey(r.method, r.path);
    if (!byKey.has(key)) byKey.set(key, []);
    byKey.get(key).push(r);
  }
  const labelled = new Set();
  const rows = [];
  for (const l of label.routes) {
    const key = routeKey(l.method, l.path);
    labelled.add(key);
    // A prefix the scan could not compute (`/<dynamic>/users`) still finds the route; the path is counted apart.
    const candidates = byKey.get(key) ?? dynamicMatches(toolRoutes, key);
    const tool = candidates.find((r) => r.loc.file === l.file) ?? candidates[0];
    // Findings name the route as the scan does (`/<dynamic>/users`), so they are looked up by the matched route.
    const toolKey = tool ? routeKey(tool.method, tool.path) : key;
    const finding = missingAuth.get(toolKey);
    rows.push({
      tool,
      key,
      file: l.file,
      expected: l.status,
      found: Boolean(tool),
      status: tool?.auth.status ?? 'missing',
      reason: tool?.auth.reason,
      guards: tool?.auth.guards.map((g) => `${g.name}@${g.loc?.file}:${g.loc?.line}`),
      finding: finding ? finding.severity : undefined,
      evidence: finding?.evidence?.map((e) => e.kind),
      evidenceMessages: finding?.evidence?.map((e) => e.message),
      unresolved: unresolved.has(toolKey),
      ownershipExpected: l.ownership ?? [],
      ownershipFound: OWNERSHIP_RULES.filter((id) => ownership.get(id).has(toolKey)),
      why: l.why,
    });
  }
  const extra = [];
  const matched = new Set(rows.map((r) => r.tool).filter(Boolean));
  for (const [key, routes] of byKey) {
    if (labelled.has(key) || routes.every((r) => matched.has(r))) continue;
    const finding = missingAuth.get(key);
    extra.push({ key, file: routes[0].loc.file, status: routes[0].auth.status, finding: finding?.severity });
  }
  const appFindings = result.findings.filter((f) => f.ruleId === 'missing-auth' && !f.route).length;
  const diagnostics = result.diagnostics.filter((d) => d.level !== 'info').map((d) => `${d.level} ${d.code}: ${d.message}`);
  for (const row of rows) delete row.tool;
  return { rows, extra, appFindings, diagnostics };
}

/** Counts for one set of projects. */
function tally(results) {
  const t = {
    projects: 0, labelled: 0, found: 0, agree: 0, protectedAgree: 0,
    tp: 0, fp: 0, fn: 0, warnOnHole: 0, extraRoutes: 0, extraErrors: 0, unknown: 0, falseProtected: 0,
    own: Object.fromEntries(OWNERSHIP_RULES.map((id) => [id, { tp: 0, fp: 0, fn: 0 }])),
  };
  for (const r of results) {
    if (r.error) continue;
    t.projects++;
    for (const row of r.rows) {
      t.labelled++;
      if (row.found) t.found++;
      if (row.status === row.expected) t.agree++;
      if ((row.status === 'protected') === (row.expected === 'protected')) t.protectedAgree++;
      if (row.status === 'unknown') t.unknown++;
      if (row.status === 'protected' && row.expected !== 'protected') t.falseProtected++;
      const hole = row.expected === 'unprotected';
      const claimed = row.finding === 'error';
      if (hole && claimed) t.tp++;
      else if (!hole && claimed) t.fp++;
      else if (hole) {
        t.fn++;
        if (row.finding === 'warning') t.warnOnHole++;
      }
      for (const id of OWNERSHIP_RULES) {
        const want = row.ownershipExpected.includes(id);
        const got = row.ownershipFound.includes(id);
        if (want && got) t.own[id].tp++;
        else if (got) t.own[id].fp++;
        else if (want) t.own[id].fn++;
      }
    }
    t.extraRoutes += r.extra.length;
    for (const e of r.extra) if (e.finding === 'error') t.extraErrors++;
  }
  return t;
}

function ratio(a, b) {
  return b === 0 ? '   -' : (a / b).toFixed(2);
}

function line(name, t) {
  const precision = ratio(t.tp, t.tp + t.fp + t.extraErrors);
  const recall = ratio(t.tp, t.tp + t.fn);
  const own = OWNERSHIP_RULES.map((id) => {
    const o = t.own[id];
    return `${ratio(o.tp, o.tp + o.fp)}/${ratio(o.tp, o.tp + o.fn)}`;
  }).join('  ');
  return [
    name.padEnd(44),
    String(t.labelled).padStart(5),
    ratio(t.found, t.labelled).padStart(9),
    ratio(t.agree, t.labelled).padStart(7),
    ratio(t.protectedAgree, t.labelled).padStart(7),
    String(t.falseProtected).padStart(6),
    precision.padStart(7),
    recall.padStart(7),
    `${t.tp}/${t.fp + t.extraErrors}/${t.fn}`.padStart(10),
    String(t.extraRoutes).padStart(6),
    `  ${own}`,
  ].join(' ');
}

function report(all) {
  const header = [
    'project'.padEnd(44), 'routes'.padStart(5), 'discovery'.padStart(9), 'status'.padStart(7), 'guard?'.padStart(7),
    'falseP'.padStart(6), 'MA-prec'.padStart(7), 'MA-rec'.padStart(7), 'tp/fp/fn'.padStart(10), 'extra'.padStart(6),
    '  UQ p/r    UID p/r',
  ].join(' ');
  console.log(header);
  for (const r of all) {
    if (r.error) {
      console.log(`${r.label.repo.padEnd(44)} scan failed: ${r.error}`);
      continue;
    }
    console.log(line(`${r.label.split.slice(0, 4)} ${r.label.repo}`, tally([r])));
  }
  console.log('');
  for (const split of SPLITS) {
    const inSplit = all.filter((r) => r.label.split === split);
    if (inSplit.length === 0) continue;
    for (const fw of ['express', 'fastify', 'nest', 'hono']) {
      const some = inSplit.filter((r) => r.label.framework === fw);
      if (some.length) console.log(line(`${split} ${fw} (${some.length})`, tally(some)));
    }
    console.log(line(`${split} all (${inSplit.length})`, tally(inSplit)));
  }
  console.log(line(`overall (${all.length})`, tally(all)));
  console.log(`
discovery: labelled routes the scan found; status: scan status = label status (protected/public/unprotected);
guard?: agreement on "a guard establishing identity runs"; falseP: routes shown protected that are not;
MA: missing-auth errors against routes labelled unprotected (fp includes errors on unlabelled in-scope routes);
extra: in-scope routes the scan found that are not labelled; UQ/UID: unscoped-query / user-id-from-request
precision/recall, per route.`);

  if (!args.verbose) return;
  for (const r of all) {
    if (r.error) continue;
    const bad = r.rows.filter(
      (row) => row.status !== row.expected || (row.finding === 'error') !== (row.expected === 'unprotected'),
    );
    if (bad.length === 0 && r.extra.length === 0 && r.diagnostics.length === 0) continue;
    console.log(`\n== ${r.label.repo} (${r.label.split})`);
    for (const d of r.diagnostics.slice(0, 10)) console.log(`  diag  ${d}`);
    for (const row of bad) {
      console.log(
        `  ${row.key}  want ${row.expected}, got ${row.status}${row.finding ? ` (${row.finding})` : ''}  [${row.file}]`,
      );
      if (row.reason) console.log(`      tool: ${row.reason}`);
      console.log(`      label: ${row.why}`);
    }
    for (const e of r.extra) console.log(`  extra ${e.key} ${e.status}${e.finding ? ` (${e.finding})` : ''} [${e.file}]`);
  }
}
