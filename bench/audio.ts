// Audio figures measured in headless Chromium (/usr/bin/chromium, driven by puppeteer-core):
// resampler stopband/passband, capture latency, flush latency, main-thread cost of full
// duplex, output seams. The page bundles src/audio with esbuild (minified, like the
// shipped script). Run alone: `node --import tsx bench/audio.ts`, or via `npm run bench`.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import puppeteer from 'puppeteer-core';
import { prepareFixtures } from '../test/support/fixtures.ts';

type Row = [figure: string, value: string, how: string];

const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);

/** Runs the audio benchmark; returns table rows and the raw figures. */
export async function runAudioBench(): Promise<{ rows: Row[]; figures: Record<string, any> }> {
  const fixtures = await prepareFixtures();
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL('./audio/page.ts', import.meta.url))],
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const js = bundle.outputFiles[0]!.text;
  // Cross-origin isolated, so performance.now() has 5 µs resolution instead of 100 µs
  // (per-frame work is tens of µs: coarse timestamps would swamp it).
  const isolation = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };
  const server = createServer((req, res) => {
    if (req.url === '/bench.js') {
      res.writeHead(200, { 'content-type': 'text/javascript', ...isolation });
      res.end(js);
    } else {
      res.writeHead(200, { 'content-type': 'text/html', ...isolation });
      res.end('<!doctype html><title>audio bench</title><script src="/bench.js"></script>');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--autoplay-policy=no-user-gesture-required',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${fixtures.micSpeechWav}`,
      '--disable-background-timer-throttling',
      '--disable-renderer-backgrounding',
      '--disable-backgrounding-occluded-windows',
    ],
  });
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error('page error:', e));
    await page.goto(`http://localhost:${port}/`);
    page.setDefaultTimeout(180_000);
    const figures = (await page.evaluate(() => (window as any).__audioBench.all())) as Record<string, any>;
    const rows: Row[] = [];
    for (const [key, label] of [
      ['resampler48k', '48k'],
      ['resampler44k', '44.1k'],
    ] as const) {
      const r = figures[key];
      rows.push([`resampler ${label}→16k stopband`, `${f1(r.stopbandAttenuationDb)} dB`, `worst leak of 60 tones ${Math.round(r.stopbandEdgeHz)} Hz…Nyquist (aliases incl.), ${r.taps} taps`]);
      rows.push([`resampler ${label}→16k 12 kHz tone`, `-${f1(r.attenuation12kDb)} dB`, 'output RMS vs input RMS']);
      rows.push([`resampler ${label}→16k passband ripple`, `${r.passbandRippleDb.toFixed(4)} dB`, 'max-min gain of 42 tones 50 Hz…7 kHz (LS fit)']);
    }
    const c = figures.capture;
    rows.push(['capture latency (median)', `${f1(c.medianMs)} ms (${c.medianFrames} fr @${c.rate})`, 'step via ConstantSource at a known frame → frame of the quantum that posts its chunk; 20 random phases']);
    rows.push(['capture latency (max)', `${f1(c.maxMs)} ms`, `= chunk fill (≤20 ms) + filter lookahead ${f2(c.lookaheadMs)} ms + quantum`]);
    rows.push(['capture post → main thread', `${f1(c.deliveryMedianMs)} ms`, 'context clock on receipt minus posting frame (median; clock granularity = callback buffer)']);
    const fl = figures.flush;
    rows.push(['flush latency (median)', `${fl.callToSilenceMedianFrames.toFixed(0)} fr = ${f2(fl.callToSilenceMedianMs)} ms`, `main-thread call (ctx.currentTime) → last non-zero sample at a worklet tap; ramp ${fl.rampFrames} fr; 10 runs`]);
    rows.push(['flush latency (max)', `${fl.callToSilenceMaxFrames.toFixed(0)} fr = ${f2(fl.callToSilenceMaxMs)} ms`, `call → ramp start median ${fl.callToRampMedianFrames.toFixed(0)} fr`]);
    const d = figures.duplex;
    const k = figures.costs;
    rows.push(['main thread per minute, full duplex', `${f1(k.msPerMinute)} ms/min`, `work content: up ${f1(k.upFrameUs)} µs (base64+JSON) + down ${f1(k.downFrameUs)} µs (JSON.parse+base64+enqueue/post) per 20 ms, min of 15×200`]);
    rows.push(['  same, in situ (median handler)', `${f1(d.mainThreadMsPerMinuteMedian)} ms/min`, `median ${f1(d.handlerMedianUs)} µs, p99 ${f1(d.handlerP99Us)} µs per uplink chunk incl. its downlink, ${d.seconds} s fake mic, cross-origin isolated clock`]);
    rows.push(['  same, in situ (sum)', `${f1(d.mainThreadMsPerMinute)} ms/min`, `sum of performance.now() deltas (wall: includes preemption; load avg ${loadavg()[0]!.toFixed(1)} on ${cpus().length} CPUs)`]);
    rows.push(['long tasks during duplex', String(d.longTasks), 'PerformanceObserver longtask (>50 ms)']);
    rows.push(['output seams per minute', `${f2(d.seamsPerMinute)} (${d.seams} in ${f1(d.playedSeconds)} s)`, `tap: breaks of the 440 Hz sine recurrence; target 0; worklet underruns ${d.underruns}`]);
    return { rows, figures };
  } finally {
    await browser.close();
    server.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { rows, figures } = await runAudioBench();
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
  if (process.argv.includes('--json')) console.log(JSON.stringify(figures, null, 2));
}
