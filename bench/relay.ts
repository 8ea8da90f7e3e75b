// Relay cost on loopback: what a site's relay adds per frame, and what a session costs.
//
// How it is measured
// - An echo server stands in for Hydra (it returns every frame as received), in this process.
// - The relay runs in a child process (its own event loop and heap, like a deployment),
//   pointed at the echo server; the child reports process.memoryUsage() after forced GC.
// - Frames are realistic uplink audio: `input_audio_buffer.append` with 20 ms of 16 kHz
//   PCM16 (640 bytes → 856 base64 chars), ≈ 930 bytes of JSON, sent every 20 ms.
// - Latency: round trip client → echo → client, once directly and once through the relay
//   (which crosses the relay twice: up and down). Direct and relayed frames alternate every
//   10 ms so both see the same machine state. Added latency = relayed − direct percentile.
// - Load: 100 concurrent sessions each streaming a frame every 20 ms (5 000 frames/s each
//   way), first direct, then through the relay; round trips are sampled from all sessions.
//   Memory per session = (child heap/RSS with 100 open streaming sessions − child before
//   any session) / 100, both after GC. CPU = relay child's user+system time over the load
//   window, as a share of one core.
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import WebSocket, { WebSocketServer } from 'ws';

type Row = [figure: string, value: string, how: string];

export interface RelayBenchOptions {
  /** Round trips per path in the latency phase. Default 600. */
  frames?: number;
  /** Concurrent sessions in the load phase. Default 100. */
  sessions?: number;
  /** Streaming time per load phase. Default 4000 ms. */
  loadMs?: number;
}

export interface RelayBenchFigures {
  frameBytes: number;
  latency: { direct: Percentiles; relayed: Percentiles; addedP50Ms: number; addedP99Ms: number; samples: number };
  load: {
    sessions: number;
    direct: Percentiles;
    relayed: Percentiles;
    addedP50Ms: number;
    addedP99Ms: number;
    memoryPerSession: { heapKB: number; rssKB: number; externalKB: number };
    relayCpuPercent: number;
  };
}

interface Percentiles {
  p50: number;
  p99: number;
  max: number;
}

const SECRET = randomBytes(32).toString('hex');
const ORIGIN = 'http://bench.localhost';
const MEM = 'mem';

function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
  return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] ?? NaN };
}

/** One realistic uplink frame (20 ms of 16 kHz PCM16, base64 in JSON). */
function audioFrame(seq: number): string {
  const pcm = Buffer.alloc(640);
  for (let i = 0; i < 320; i++) pcm.writeInt16LE(Math.round(3000 * Math.sin((seq * 320 + i) / 8)), i * 2);
  return JSON.stringify({ type: 'input_audio_buffer.append', event_id: `cl_${seq.toString(16).padStart(16, '0')}`, audio: pcm.toString('base64') });
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return (server.address() as AddressInfo).port;
}

async function startEcho(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer();
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  wss.on('connection', (ws) => ws.on('message', (data: Buffer, binary: boolean) => ws.send(data, { binary })));
  const port = await listen(server);
  return {
    url: `ws://127.0.0.1:${port}/s2s`,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

interface ChildMemory {
  heapUsed: number;
  rss: number;
  external: number;
  cpu: { user: number; system: number };
}

async function startRelayChild(upstreamUrl: string): Promise<{ url: string; memory(): Promise<ChildMemory>; stop(): void }> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--relay-child'], {
    execArgv: ['--import', 'tsx', '--expose-gc', '--no-warnings'],
    env: { ...process.env, BENCH_UPSTREAM: upstreamUrl, BENCH_SECRET: SECRET },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolvePort, reject) => {
    child.once('message', (m) => resolvePort((m as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`relay child exited with ${code}`)));
  });
  return {
    url: `ws://127.0.0.1:${port}/hydra`,
    memory: () =>
      new Promise((r) => {
        child.once('message', (m) => r(m as ChildMemory));
        child.send(MEM);
      }),
    stop: () => child.kill(),
  };
}

/** The child: a relay on its own http server, reporting memory on request. */
async function relayChild(): Promise<void> {
  const { createRelay } = await import('../src/server/relay/index.ts');
  const relay = createRelay({
    secret: process.env.BENCH_SECRET!,
    upstreamUrl: process.env.BENCH_UPSTREAM!,
    apiKey: 'bench-key',
    maxSessionsPerIp: 10_000,
    maxSessionsPerToken: 10_000,
  });
  const server = createServer();
  server.on('upgrade', (req, socket, head) => relay.handleUpgrade(req, socket, head));
  const port = await listen(server);
  const gc = (globalThis as { gc?: () => void }).gc;
  process.on('message', (m) => {
    if (m !== MEM) return;
    gc?.();
    gc?.();
    const mem = process.memoryUsage();
    process.send!({ heapUsed: mem.heapUsed, rss: mem.rss, external: mem.external + mem.arrayBuffers, cpu: process.cpuUsage() });
  });
  process.send!({ port });
}

/** A client that measures send → echo round trips (echoes come back in order). */
function openClient(url: string): Promise<{ ws: WebSocket; send(frame: string, record: boolean): void; rtts: number[] }> {
  const ws = new WebSocket(url, { perMessageDeflate: false, origin: ORIGIN });
  const inFlight: { at: number; record: boolean }[] = [];
  const rtts: number[] = [];
  ws.on('message', () => {
    const sent = inFlight.shift();
    if (sent?.record) rtts.push(performance.now() - sent.at);
  });
  return new Promise((resolveClient, reject) => {
    ws.once('open', () =>
      resolveClient({
        ws,
        rtts,
        send(frame, record) {
          inFlight.push({ at: performance.now(), record });
          ws.send(frame);
        },
      }),
    );
    ws.once('error', reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function relayUrlWithToken(relayUrl: string): Promise<string> {
  const { mintToken } = await import('../src/server/token/index.ts');
  return `${relayUrl}?model=hydra-v1.1&api_key=${mintToken({ secret: SECRET, origin: ORIGIN, ttlSeconds: 600 })}`;
}

/**
 * N sessions streaming one frame every 20 ms (staggered) for `ms`: the first quarter is
 * ramp-up (not sampled), then round trips are sampled; `afterSampling` runs while the
 * sessions still stream but after sampling, so a forced GC there cannot skew latency.
 */
async function streamLoad(urlFor: () => Promise<string>, sessions: number, ms: number, afterSampling?: () => Promise<void>): Promise<number[]> {
  const clients = await Promise.all(Array.from({ length: sessions }, async () => openClient(await urlFor())));
  const frames = Array.from({ length: 50 }, (_, i) => audioFrame(i));
  let seq = 0;
  let sampling = false;
  const intervals: NodeJS.Timeout[] = [];
  const starts = clients.map((c, i) =>
    setTimeout(() => intervals.push(setInterval(() => c.send(frames[seq++ % frames.length]!, sampling), 20)), (i * 20) / sessions),
  );
  await sleep(ms / 4);
  sampling = true;
  await sleep((ms * 3) / 4);
  sampling = false;
  const rtts = clients.flatMap((c) => c.rtts);
  await afterSampling?.();
  for (const t of starts) clearTimeout(t);
  for (const t of intervals) clearInterval(t);
  await Promise.all(clients.map((c) => new Promise<void>((r) => (c.ws.once('close', () => r()), c.ws.close(1000)))));
  return rtts;
}

/** Runs every phase; see the module comment for how each figure is measured. */
export async function runRelayBench(options: RelayBenchOptions = {}): Promise<{ rows: Row[]; figures: RelayBenchFigures }> {
  const frames = options.frames ?? 600;
  const sessions = options.sessions ?? 100;
  const loadMs = options.loadMs ?? 4000;
  const echo = await startEcho();
  const relay = await startRelayChild(echo.url);
  try {
    // Phase 1: one direct and one relayed session, alternating every 10 ms.
    const direct = await openClient(echo.url);
    const relayed = await openClient(await relayUrlWithToken(relay.url));
    const warmup = 50;
    for (let i = 0; i < frames + warmup; i++) {
      const frame = audioFrame(i);
      direct.send(frame, i >= warmup);
      await sleep(10);
      relayed.send(frame, i >= warmup);
      await sleep(10);
    }
    await sleep(100);
    direct.ws.close();
    relayed.ws.close();
    const d = percentiles(direct.rtts);
    const r = percentiles(relayed.rtts);

    // Phase 2: 100 sessions direct, then 100 relayed (with memory and CPU of the relay).
    const loadDirect = percentiles(await streamLoad(async () => echo.url, sessions, loadMs));
    await sleep(200);
    const before = await relay.memory();
    let during: ChildMemory | undefined;
    const cpuStart = before.cpu;
    const t0 = performance.now();
    let wallMs = 0;
    const loadRelayedRtts = await streamLoad(() => relayUrlWithToken(relay.url), sessions, loadMs, async () => {
      during = await relay.memory();
      wallMs = performance.now() - t0;
    });
    // CPU over connect + stream (the GC'd snapshot itself is included; it is small).
    const cpuEnd = during!.cpu;
    const loadRelayed = percentiles(loadRelayedRtts);
    const kb = (bytes: number) => Math.round(bytes / 1024 / sessions * 10) / 10;
    const round = (n: number) => Math.round(n * 1000) / 1000;
    const figures: RelayBenchFigures = {
      frameBytes: Buffer.byteLength(audioFrame(0)),
      latency: { direct: d, relayed: r, addedP50Ms: round(r.p50 - d.p50), addedP99Ms: round(r.p99 - d.p99), samples: frames },
      load: {
        sessions,
        direct: loadDirect,
        relayed: loadRelayed,
        addedP50Ms: round(loadRelayed.p50 - loadDirect.p50),
        addedP99Ms: round(loadRelayed.p99 - loadDirect.p99),
        memoryPerSession: {
          heapKB: kb(during!.heapUsed - before.heapUsed),
          rssKB: kb(during!.rss - before.rss),
          externalKB: kb(during!.external - before.external),
        },
        relayCpuPercent: Math.round(((cpuEnd.user - cpuStart.user + cpuEnd.system - cpuStart.system) / 1000 / wallMs) * 1000) / 10,
      },
    };
    const ms = (n: number) => `${n.toFixed(3)} ms`;
    const rows: Row[] = [
      ['added latency p50 (1 session)', ms(figures.latency.addedP50Ms), `round trip via relay ${ms(r.p50)} vs direct ${ms(d.p50)}; ${frames} × ${figures.frameBytes} B frames`],
      ['added latency p99 (1 session)', ms(figures.latency.addedP99Ms), `via relay ${ms(r.p99)} vs direct ${ms(d.p99)}`],
      [`added latency p50 (${sessions} sessions)`, ms(figures.load.addedP50Ms), `via relay ${ms(loadRelayed.p50)} vs direct ${ms(loadDirect.p50)}; 50 frames/s each`],
      [`added latency p99 (${sessions} sessions)`, ms(figures.load.addedP99Ms), `via relay ${ms(loadRelayed.p99)} vs direct ${ms(loadDirect.p99)}`],
      ['memory per session (heap)', `${figures.load.memoryPerSession.heapKB} kB`, `relay process, after GC, ${sessions} streaming sessions`],
      ['memory per session (RSS)', `${figures.load.memoryPerSession.rssKB} kB`, `external+arrayBuffers ${figures.load.memoryPerSession.externalKB} kB`],
      ['relay CPU at load', `${figures.load.relayCpuPercent} %`, `of one core, ${sessions * 50} frames/s each way`],
    ];
    return { rows, figures };
  } finally {
    relay.stop();
    await echo.close();
  }
}

if (process.argv.includes('--relay-child')) {
  await relayChild();
} else if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const { rows, figures } = await runRelayBench();
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i]!.length)));
  console.log('\nrelay bench (loopback)\n');
  for (const row of rows) console.log(row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
  console.log(`\n${JSON.stringify(figures, null, 2)}`);
}
