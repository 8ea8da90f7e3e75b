// A host page that blocks its own main thread: 250 ms every 750 ms, then one 1000 ms
// freeze, during a 10 s reply and continuous mic streaming (issue 11). Headless Chromium,
// the built dist/hydra-voice.js on a plain page, Chromium's fake microphone, and a small
// Hydra-shaped server in this process that streams the reply in real time (200 ms ahead,
// like the simulator) and counts every mic sample it receives. The reply is a continuous
// tone, so every silent run inside it at the output is an audible gap. Run twice: with the
// engine in its worker (the default) and with the main-thread fallback (the same page
// under a CSP that allows no worker).
// Run alone: `node --import tsx bench/blocked-page.ts`.
import { readFileSync, existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import puppeteer from 'puppeteer-core';
import { WebSocketServer, type WebSocket } from 'ws';
import { pcm16ToBase64, base64ToBytes } from '../src/protocol/base64.ts';
import { AudioStream } from '../src/server/simulator/audio-stream.ts';
import { prepareFixtures } from '../test/support/fixtures.ts';

type Row = [figure: string, value: string, how: string];

const REPLY_S = 10;
const RATE = 48_000;
const SOUND = 0.01;
const root = fileURLToPath(new URL('..', import.meta.url));

/** A continuous two-tone reply: any silence inside it at the output is a gap. */
function replyPcm(): Int16Array {
  const pcm = new Int16Array(REPLY_S * RATE);
  for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(6000 * Math.sin((2 * Math.PI * 440 * i) / RATE) + 3000 * Math.sin((2 * Math.PI * 660 * i) / RATE));
  return pcm;
}

interface ServerRecord {
  /** Largest delay of a reply chunk behind its pacing schedule (this process starved: not the client's fault). */
  sendLateMaxMs: number;
  /** Mic samples received after session.configured, and when (ms, this process's clock). */
  micSamples: number;
  micArrivals: [samples: number, at: number][];
  replyStarted?: Promise<void>;
  replyDone?: Promise<unknown>;
}

/** A Hydra-shaped server: handshake, counts mic audio, streams one reply on request. */
async function startServer() {
  const record: ServerRecord = { micSamples: 0, micArrivals: [], sendLateMaxMs: 0 };
  let socket: WebSocket | undefined;
  const pages: Record<string, string> = {
    '/index.html': page(''),
    '/no-worker.html': page(`<meta http-equiv="Content-Security-Policy" content="worker-src 'none'">`),
  };
  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (pages[path]) {
      res.writeHead(200, { 'content-type': 'text/html' }).end(pages[path]);
    } else if (path.startsWith('/dist/') && existsSync(root + path.slice(1))) {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(root + path.slice(1)));
    } else res.writeHead(404).end();
  });
  const wss = new WebSocketServer({ server: http });
  let n = 0;
  const id = () => `sv_${++n}`;
  wss.on('connection', (ws) => {
    socket = ws;
    let configured = false;
    ws.send(JSON.stringify({ type: 'session.created', event_id: id(), session_id: 'sess_bench' }));
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { type: string; audio?: string; session?: unknown };
      if (frame.type === 'session.configure') {
        configured = true;
        ws.send(JSON.stringify({ type: 'session.configured', event_id: id(), session: frame.session }));
      } else if (frame.type === 'input_audio_buffer.append' && configured) {
        const samples = (base64ToBytes(frame.audio ?? '')?.length ?? 0) / 2;
        record.micSamples += samples;
        record.micArrivals.push([samples, performance.now()]);
      }
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return {
    url,
    record,
    /** Streams the reply (paced, 200 ms ahead); resolves when the last frame is sent. */
    async reply(): Promise<void> {
      const ws = socket!;
      const send = (f: object) => ws.readyState === ws.OPEN && ws.send(JSON.stringify({ ...f, event_id: id() }));
      send({ type: 'response.created', response: { id: 'resp_long', status: 'in_progress' } });
      const started = performance.now();
      const stream = new AudioStream(replyPcm(), { chunkMs: 20, speed: 1, leadMs: 200, sampleRate: RATE }, (chunk, index) => {
        record.sendLateMaxMs = Math.max(record.sendLateMaxMs, performance.now() - started - (index * 20 - 200));
        send({ type: 'response.output_audio.delta', response_id: 'resp_long', item_id: 'item_a', output_index: 0, content_index: 0, delta: pcm16ToBase64(chunk) });
      });
      await stream.start();
      send({ type: 'response.output_audio.done', response_id: 'resp_long', item_id: 'item_a' });
      send({ type: 'response.done', response: { id: 'resp_long', status: 'completed', status_details: null, output: [] } });
    },
    close: () => new Promise<void>((r) => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      http.close(() => r());
    }),
  };

  function page(head: string): string {
    return `<!doctype html><html><head>${head}<script src="/dist/hydra-voice.js"></script></head>
      <body><hydra-voice url="ws://HOST/s2s"></hydra-voice>
      <script>document.querySelector('hydra-voice').url = 'ws://' + location.host + '/s2s';</script></body></html>`;
  }
}

interface ModeFigures {
  thread: string;
  heardS: number;
  gapMs: number;
  gaps: number;
  longestGapMs: number;
  underruns: number;
  micCaptured: number;
  micReceived: number;
  micLost: number;
  micHoles: number;
  micLateMaxMs: number;
  audioMessagesPerS: number;
  mainScriptMsPerMin: number;
  blockedMs: number;
  tapMissedQuanta: number;
  serverLateMaxMs: number;
}

async function runMode(mode: 'worker' | 'main', script: string, micWav: string): Promise<ModeFigures> {
  const server = await startServer();
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--autoplay-policy=no-user-gesture-required',
      '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${micWav}`,
      '--disable-background-timer-throttling', '--disable-renderer-backgrounding', '--disable-backgrounding-occluded-windows',
    ],
  });
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(60_000);
    await page.evaluateOnNewDocument(script);
    const cdp = await page.createCDPSession();
    await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
    await page.goto(`${server.url}/${mode === 'worker' ? 'index.html' : 'no-worker.html'}`);
    await page.waitForFunction(() => customElements.get('hydra-voice') !== undefined);
    await page.evaluate(() => new Promise<void>((resolve, reject) => {
      const el = document.querySelector('hydra-voice') as HTMLElement & { start(): Promise<void> };
      el.addEventListener('hydra-session', () => resolve(), { once: true });
      el.addEventListener('hydra-error', (e) => (e as CustomEvent).detail.fatal && reject(new Error((e as CustomEvent).detail.message)));
      void el.start();
    }));
    const stats = () => page.evaluate(() => (document.querySelector('hydra-voice') as unknown as { debugStats: any }).debugStats);
    const scriptMs = async () => {
      const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
      return (metrics.find((m) => m.name === 'ScriptDuration')?.value ?? NaN) * 1000;
    };
    const replied = server.reply();
    await page.waitForFunction(() => document.querySelector('hydra-voice')?.getAttribute('state') === 'speaking');
    const before = await stats();
    const messagesBefore = await page.evaluate(() => window.__blocked.audioMessages());
    // The main thread's own work while the reply plays and the mic streams, before the page misbehaves.
    const script0 = await scriptMs();
    const q0 = Date.now();
    await new Promise((r) => setTimeout(r, 2000));
    const quietScriptMsPerMin = ((await scriptMs()) - script0) / ((Date.now() - q0) / 60_000);
    const t0 = Date.now();
    // The host page at its worst: 250 ms every 750 ms, three times, then a 1000 ms freeze.
    let blockedMs = 0;
    for (let i = 0; i < 3; i++) {
      blockedMs += await page.evaluate(() => window.__blocked.block(250));
      await new Promise((r) => setTimeout(r, 500));
    }
    blockedMs += await page.evaluate(() => window.__blocked.block(1000));
    await replied;
    await page.waitForFunction(() => document.querySelector('hydra-voice')?.getAttribute('state') === 'listening', { timeout: 30_000 });
    const seconds = (Date.now() - q0) / 1000;
    const messages = (await page.evaluate(() => window.__blocked.audioMessages())) - messagesBefore;
    // Every chunk the engine had received by now (captured after configure, no hole in
    // the worklet's sequence) must reach the server; it keeps streaming meanwhile.
    const after = await stats();
    const captured = (after.mic.chunks - after.droppedAudioChunks) * 320;
    for (let i = 0; i < 50 && server.record.micSamples < captured; i++) await new Promise((r) => setTimeout(r, 100));
    const received = Math.min(server.record.micSamples, captured);
    const reply = (await page.evaluate((t) => window.__blocked.reply(t), SOUND))!;
    // Lateness: each chunk's arrival against the real-time schedule of the first one.
    let samplesSoFar = 0;
    let lateMax = 0;
    const [first] = server.record.micArrivals;
    for (const [samples, at] of server.record.micArrivals) {
      lateMax = Math.max(lateMax, at - first![1] - (samplesSoFar / 16_000) * 1000);
      samplesSoFar += samples;
    }
    return {
      thread: after.thread,
      heardS: reply.heardS,
      gapMs: reply.silentMs,
      gaps: reply.gaps,
      longestGapMs: reply.longestGapMs,
      underruns: after.playback.underruns - before.playback.underruns,
      micCaptured: captured,
      micReceived: received,
      micLost: captured - received,
      micHoles: after.mic.lost,
      micLateMaxMs: lateMax,
      audioMessagesPerS: messages / seconds,
      mainScriptMsPerMin: quietScriptMsPerMin,
      blockedMs,
      tapMissedQuanta: reply.missedQuanta,
      serverLateMaxMs: server.record.sendLateMaxMs,
    };
  } finally {
    await browser.close();
    await server.close();
  }
}

export async function runBlockedPageBench(): Promise<{ rows: Row[]; figures: Record<string, ModeFigures> }> {
  const { micSpeechWav } = await prepareFixtures();
  const script = (
    await build({
      entryPoints: [fileURLToPath(new URL('./blocked-page/page.ts', import.meta.url))],
      bundle: true,
      format: 'iife',
      target: 'es2022',
      write: false,
      logLevel: 'silent',
    })
  ).outputFiles[0]!.text;
  const figures: Record<string, ModeFigures> = {};
  const rows: Row[] = [];
  const f1 = (x: number) => x.toFixed(1);
  for (const mode of ['worker', 'main'] as const) {
    const f = (figures[mode] = await runMode(mode, script, micSpeechWav));
    const label = mode === 'worker' ? 'worker (default)' : 'main-thread fallback';
    rows.push([`${label}: gaps in a ${REPLY_S} s reply`, `${f.gaps} (${f1(f.gapMs)} ms silent, longest ${f1(f.longestGapMs)} ms)`, `output tap: silent runs ≥ 2 ms inside a continuous tone; heard ${f.heardS.toFixed(2)} s; ${f.underruns} playback underruns; server pacing late by up to ${f1(f.serverLateMaxMs)} ms`]);
    rows.push([`${label}: mic samples lost`, `${f.micLost} of ${f.micCaptured} (${f.micHoles} sequence holes)`, `captured after configure vs received by the server; latest chunk ${f1(f.micLateMaxMs)} ms behind real time`]);
    rows.push([`${label}: audio on the main thread`, `${f1(f.audioMessagesPerS)} messages/s; page script ${f1(f.mainScriptMsPerMin)} ms/min`, `chunks and deltas through page-thread handlers (engine: ${f.thread}); CDP ScriptDuration of the page (levels, events, tap) in 2 s before the blocking`]);
  }
  return { rows, figures };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { rows, figures } = await runBlockedPageBench();
  if (process.argv.includes('--json')) console.log(JSON.stringify(figures, null, 2));
  for (const r of rows) console.log(r.join('  |  '));
}
