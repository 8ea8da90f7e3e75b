#!/usr/bin/env node
// `npm test`: every test of the project, then one closing line "N passed, N failed".
//   1. typecheck (npm run typecheck: the three tsconfigs, counted as one test)
//   2. build the shipped script (end-to-end tests load dist/hydra-voice.js)
//   3. Node tests (node:test) for protocol, server, simulator, relay: test/node/**/*.test.ts
//      (the soak, two minutes of a real-time conversation that mostly waits, runs beside
//      the other files instead of after them)
//   4. browser tests (web-test-runner) in headless Chromium, Firefox ESR and WebKitGTK:
//      test/browser/**/*.test.ts, one line per engine (test/support/engines.ts)
// Usage: npm test [-- node|browser] [-- <file filter>...]; HV_ENGINES=firefox,webkit limits engines.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { browserTestFiles, walk } from '../test/support/browser-files.mjs';

const args = process.argv.slice(2);
const only = args.find((a) => a === 'node' || a === 'browser');
const filters = args.filter((a) => a !== only);
const totals = { passed: 0, failed: 0, skipped: 0 };
// Each run writes its raw results to its own folder, so runs in parallel never mix counts.
const results = join('.test-results', `run-${process.pid}`);
rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });
process.env.HV_RESULTS_DIR = results;

function run(cmd, cmdArgs, extraEnv = {}) {
  console.log(`\n$ ${cmd} ${cmdArgs.join(' ')}`);
  return spawnSync(cmd, cmdArgs, { stdio: 'inherit', env: { ...process.env, ...extraEnv } }).status ?? 1;
}

const matches = (file) => filters.length === 0 || filters.some((f) => file.includes(f));

if (!only && filters.length === 0) {
  // tsconfig.json (everything), tsconfig.browser.json (no Node types), tsconfig.node.json (no DOM).
  const ok = run('npm', ['run', '--silent', 'typecheck']) === 0;
  ok ? totals.passed++ : totals.failed++;
  console.log(ok ? 'typecheck: passed' : 'typecheck: FAILED');
}

// HV_SKIP_BUILD=1 skips the build (e.g. while iterating on unit tests that do not load dist/).
if (only !== 'node' && existsSync('vite.config.ts') && !process.env.HV_SKIP_BUILD) {
  if (run('npm', ['run', '--silent', 'build']) !== 0) {
    totals.failed++;
    console.log('build: FAILED');
  }
}

/** node --test over `files`, its TAP written to `tap`. */
const nodeTestArgs = (files, tap) => [
  '--no-warnings',
  '--import', 'tsx',
  '--test',
  '--test-concurrency=1',
  '--test-reporter=spec', '--test-reporter-destination=stdout',
  '--test-reporter=tap', `--test-reporter-destination=${tap}`,
  ...files,
];

/** Counts from a node:test TAP file (a missing or empty file is one failure). */
function tapCounts(tap) {
  const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
  const count = (label) => Number(text.match(new RegExp(`^# ${label} (\\d+)$`, 'm'))?.[1] ?? 0);
  const counts = { passed: count('pass'), failed: count('fail') + count('cancelled'), skipped: count('skipped') + count('todo') };
  if (!text) counts.failed++;
  return counts;
}

if (only !== 'browser') {
  const files = walk('test/node').filter((f) => f.endsWith('.test.ts') && matches(f)).sort();
  // The soak is real time and mostly idle (a page talking to the simulator): it runs in
  // parallel with the other Node files, its output printed after theirs. It saves ~2 min
  // of CI; its verdict already tells stalls of a loaded machine from client gaps.
  const soak = files.filter((f) => f.includes('soak/soak.test.ts'));
  const rest = files.filter((f) => !soak.includes(f));
  const soakTap = join(results, 'soak.tap');
  let soakDone = Promise.resolve();
  let soakOutput = '';
  if (soak.length > 0 && rest.length > 0) {
    console.log(`\n$ node --test ${soak.join(' ')} (in parallel; output below)`);
    const child = spawn('node', nodeTestArgs(soak, soakTap), { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d) => (soakOutput += d));
    child.stderr.on('data', (d) => (soakOutput += d));
    soakDone = new Promise((resolve) => child.on('close', resolve));
  }
  const together = soak.length > 0 && rest.length > 0 ? rest : files;
  const tap = join(results, 'node.tap');
  if (together.length > 0) run('node', nodeTestArgs(together, tap));
  const nodeCounts = tapCounts(tap);
  if (together !== files) {
    await soakDone;
    console.log(soakOutput);
    const s = tapCounts(soakTap);
    for (const k of Object.keys(nodeCounts)) nodeCounts[k] += s[k];
  }
  if (files.length > 0) {
    console.log(`node tests: ${nodeCounts.passed} passed, ${nodeCounts.failed} failed, ${nodeCounts.skipped} skipped`);
    for (const k of Object.keys(totals)) totals[k] += nodeCounts[k];
  }
}

if (only !== 'node') {
  const files = browserTestFiles(filters);
  if (files.length > 0) {
    const json = join(results, 'browser.json');
    const wtrArgs = ['--no-warnings', '--import', 'tsx', 'node_modules/@web/test-runner/dist/bin.js', '--config', 'web-test-runner.config.mjs'];
    const started = Date.now();
    run('node', wtrArgs, { HV_BROWSER_FILES: filters.join(',') });
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    if (existsSync(json)) {
      const c = JSON.parse(readFileSync(json, 'utf8'));
      for (const [engine, e] of Object.entries(c.engines)) {
        for (const f of e.failures) console.log(`\n✗ [${engine}] ${f.file}: ${f.title}\n${f.error.replace(/^/gm, '    ')}`);
      }
      console.log('');
      for (const [engine, e] of Object.entries(c.engines)) {
        console.log(`${engine}: ${e.passed} passed, ${e.failed} failed, ${e.skipped} skipped (tests ran ${(e.testMs / 1000).toFixed(0)} s)`);
        if (e.slowest?.length) console.log(`  slowest files: ${e.slowest.map((x) => `${relative(process.cwd(), x.file)} ${(x.ms / 1000).toFixed(0)} s`).join(', ')}`);
        for (const s of e.skips) console.log(`  skipped: ${s.file}: ${s.title}`);
        for (const s of e.unexplained) console.log(`  FAILED (skipped without a reason): ${s.file}: ${s.title}`);
        for (const f of e.brokenFiles) console.log(`  FAILED to run: ${f}`);
      }
      console.log(`browser tests: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped in ${seconds} s`);
      for (const k of Object.keys(totals)) totals[k] += c[k];
    } else {
      console.log('browser tests: the runner wrote no results (did the browsers start?)');
      totals.failed++;
    }
  }
}

const summary = `${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`;
writeFileSync(join(results, 'summary.txt'), `${summary}\n`);
writeFileSync(join('.test-results', 'summary.txt'), `${summary}\n`);
rmSync(results, { recursive: true, force: true });
console.log(`\n${summary}`);
process.exit(totals.failed > 0 || totals.passed === 0 ? 1 : 0);
