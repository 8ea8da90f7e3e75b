// `npm run bench`: every figure hydra-voice tracks, in one table, and as JSON in
// bench/results/latest.json (plus a timestamped copy) so runs can be compared.
// These are measurements, not tests: nothing here passes or fails except the size budget.
//
//   size    bench/size.ts    gzip/brotli bytes of dist/hydra-voice.js + largest contributors; npm tarball size + file count
//   audio   bench/audio.ts   resampler quality, capture/flush latency, main-thread cost (Chromium)
//   e2e     bench/e2e.ts     client latencies and voice-to-voice through the simulator (Chromium)
//   relay   bench/relay.ts   relay's added latency p50/p99 (alone and co-hosted with the simulator, 1 and 100
//                            sessions), its memory per session and CPU at 100 sessions
//   simulator bench/simulator.ts  sessions held at real time, CPU per session, synthesis throughput and memory
//   engines bench/engines.ts per engine (Chromium, Firefox, WebKitGTK, Chromium without Chrome-wide
//                            echo cancellation): echo at the mic in the speakerphone rig, what the
//                            WebRTC route costs, self-interruptions, client latencies side by side
//   blocked bench/blocked-page.ts  a host page blocking its main thread during a reply: gaps,
//                            mic loss and main-thread audio, worker vs main-thread fallback
//   ui      bench/ui.ts      whole-page main-thread time per minute of conversation, per layout (Chromium)
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { measurePackage, measureSize } from './size.ts';

type Row = [figure: string, value: string, how: string];
const rows: Row[] = [];
const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version };
const only = process.argv.slice(2);
const want = (name: string) => only.length === 0 || only.includes(name);

function section(title: string) {
  rows.push([`— ${title}`, '', '']);
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} kB`;

if (want('size')) {
  if (spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' }).status !== 0) {
    console.error('build failed');
    process.exit(1);
  }
  const size = measureSize();
  results.size = size;
  section('size of dist/hydra-voice.js');
  rows.push(['gzip (level 9)', `${kb(size.gzipBytes)} (${size.gzipBytes} B)`, `budget ${kb(size.budgetBytes)}: ${size.withinBudget ? 'within' : 'OVER'}`]);
  rows.push(['brotli (q11)', `${kb(size.brotliBytes)} (${size.brotliBytes} B)`, 'node:zlib']);
  rows.push(['raw', kb(size.rawBytes), 'minified IIFE']);
  if (size.webrtcRouteGzipBytes !== undefined) rows.push(['  dist/hydra-voice-webrtc.js', `${kb(size.webrtcRouteGzipBytes)} gz`, 'loaded only where the echo guard hears our voice and the canceller does not (Chromium without Chrome-wide AEC)']);
  for (const l of size.locales) rows.push([`  dist/locales/${l.name}`, `${kb(l.gzipBytes)} gz`, l.name === 'all.js' ? "every language (import 'hydra-voice/locales')" : 'loaded only by pages in that language']);
  for (const c of size.contributors) {
    rows.push([`  ${c.name}`, `${kb(c.renderedBytes)} min`, `${kb(c.gzipBytes)} gz alone (visualizer, dist/stats.html)`]);
  }
  const pkg = measurePackage();
  results.package = pkg;
  rows.push(['npm tarball', `${kb(pkg.tarballBytes)}, ${pkg.files} files`, `npm pack --dry-run; ${kb(pkg.unpackedBytes)} unpacked`]);
}

async function optional(name: string, file: string, fn: string) {
  if (!want(name)) return;
  try {
    const mod = (await import(file)) as Record<string, () => Promise<{ rows: Row[]; figures: unknown }>>;
    const run = mod[fn];
    if (!run) throw new Error(`${file} has no ${fn}()`);
    const { rows: r, figures } = await run();
    results[name] = figures;
    section(name);
    rows.push(...r);
  } catch (e) {
    results[name] = { error: (e as Error).message };
    section(name);
    rows.push(['(failed)', (e as Error).message.slice(0, 80), '']);
  }
}

await optional('audio', './audio.ts', 'runAudioBench');
await optional('e2e', './e2e.ts', 'runE2eBench');
await optional('relay', './relay.ts', 'runRelayBench');
await optional('simulator', './simulator.ts', 'runSimulatorBench');
await optional('blocked', './blocked-page.ts', 'runBlockedPageBench');
await optional('ui', './ui.ts', 'runUiBench');
await optional('engines', './engines.ts', 'runEnginesBench');

// Rows whose value is long (the engines side by side) get their own lines.
const wide = (r: Row) => r[1].length > 60;
const widths = [0, 1, 2].map((i) => Math.max(...rows.filter((r) => !wide(r)).map((r) => r[i]!.length)));
console.log('\nhydra-voice benchmarks\n');
for (const r of rows) {
  if (wide(r)) console.log(`${r[0]}\n    ${r[1]}\n    (${r[2]})`);
  else console.log(r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd());
}
mkdirSync('bench/results', { recursive: true });
const json = JSON.stringify(results, null, 2);
writeFileSync('bench/results/latest.json', json);
writeFileSync(`bench/results/${results.date as string}.json`.replaceAll(':', '-'), json);
console.log('\nwritten: bench/results/latest.json; bundle treemap: dist/stats.html');
const size = results.size as { withinBudget?: boolean } | undefined;
if (size && size.withinBudget === false) process.exit(1);
