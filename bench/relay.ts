// Relay cost on loopback: what a site's relay adds per frame, alone in its own process and
// co-hosted with the simulator in one process (as `npm start` runs them), and what a
// session costs the relay.
//
// How it is measured
// - Upstream is the local simulator. Two deployments, each in child processes (own event
//   loop and heap, like a real one):
//     alone:     relay process → simulator process
//     co-hosted: one process, relay at /hydra → simulator at /hydra-sim on the same server
// - Probes: `{"type":"bench.probe","event_id":…}` frames, which Hydra (and the simulator)
//   answer at once with an `error` frame naming that event_id. A probe's round trip is
//   measured once directly against the simulator and once through the relay; added latency
//   = relayed − direct percentile.
// - 1 session: a direct and a relayed session alternate probes every 10 ms.
// - N sessions (default 100): each streams realistic uplink audio, `input_audio_buffer.append`
//   with 20 ms of 16 kHz PCM16 (640 bytes → ≈ 930 bytes of JSON) every 20 ms, quiet room
//   noise (below the turn detector's floor, so no replies), plus a probe every 200 ms.
//   N direct and N relayed sessions stay open; streaming alternates between the two groups
//   in windows of 750 ms (probes sampled after the first 150 ms of each), so both see the
//   same machine: this machine is shared, and slow drifts in its load cancel out.
// - Relay memory per session = (relay process heap/RSS with N relayed sessions open and
//   streaming − before any session) / N, both after GC; relay CPU = its user+system time
//   over one relayed window, as a share of one core (alone deployment only).
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import WebSocket from 'ws';

type Row = [figure: string, value: string, how: string];

export interface RelayBenchOptions {
  /** Round trips per path in the 1-session phase. Default 200. */
  frames?: number;
  /** Concurrent sessions in the load phase. Default 100. */
  sessions?: number;
  /** Load windows of 750 ms, alternating direct and relayed (even, ≥ 4). Default 6. */
  windows?: number;
}

interface Percentiles {
  p50: number;
  p99: number;
  max: number;
}

interface Added {
  direct: Percentiles;
  relayed: Percentiles;
  addedP50Ms: number;
  addedP99Ms: number;
  samples: number;
}

export interface RelayBenchFigures {
  frameBytes: number;
  sessions: number;
  alone: { one: Added; load: Added; memoryPerSession: { heapKB: number; rssKB: number; externalKB: number }; relayCpuPercent: number };
  cohosted: { one: Added; load: Added };
}

const SECRET = randomBytes(32).toString('hex');
const ORIGIN = 'http://bench.localhost';
const MEM = 'mem';
const CPU = 'cpu';

function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
  return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] ?? NaN };
}

const round = (n: number) => Math.round(n * 1000) / 1000;

function added(direct: number[], relayed: number[]): Added {
  const d = percentiles(direct);
  const r = percentiles(relayed);
  return { direct: d, relayed: r, addedP50Ms: round(r.p50 - d.p50), addedP99Ms: round(r.p99 - d.p99), samples: Math.min(direct.length, relayed.length) };
}

/** One realistic uplink frame: 20 ms of quiet room noise, 16 kHz PCM16, base64 in JSON. */
function audioFrame(seq: number): string {
  const pcm = Buffer.alloc(640);
  let x = seq * 7919 + 1;
  for (let i = 0; i < 320; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    pcm.writeInt16LE(((x >> 8) % 41) - 20, i * 2);
  }
  return JSON.stringify({ type: 'input_audio_buffer.append', event_id: `cl_${seq.toString(16).padStart(16, '0')}`, audio: pcm.toString('base64') });
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return (server.address() as AddressInfo).port;
}

interface ChildMemory {
  heapUsed: number;
  rss: number;
  external: number;
  cpu: { user: number; system: number };
}

type Role = 'simulator' | 'relay' | 'cohosted';

interface Child {
  /** Direct simulator URL (simulator and cohosted roles). */
  simulatorUrl?: string;
  /** Relay URL (relay and cohosted roles). */
  relayUrl?: string;
  /** Heap/RSS after GC, and CPU time. */
  memory(): Promise<ChildMemory>;
  /** CPU time only (no GC). */
  cpu(): Promise<ChildMemory['cpu']>;
  stop(): void;
}

async function startChild(role: Role, upstreamUrl = ''): Promise<Child> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--bench-child', role], {
    execArgv: ['--import', 'tsx', '--expose-gc', '--no-warnings'],
    env: { ...process.env, BENCH_UPSTREAM: upstreamUrl, BENCH_SECRET: SECRET },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolvePort, reject) => {
    child.once('message', (m) => resolvePort((m as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`${role} child exited with ${code}`)));
  });
  return {
    simulatorUrl: role === 'relay' ? undefined : `ws://127.0.0.1:${port}${role === 'cohosted' ? '/hydra-sim' : '/s2s'}`,
    relayUrl: role === 'simulator' ? undefined : `ws://127.0.0.1:${port}/hydra`,
    memory: () =>
      new Promise((r) => {
        child.once('message', (m) => r(m as ChildMemory));
        child.send(MEM);
      }),
    cpu: () =>
      new Promise((r) => {
        child.once('message', (m) => r(m as ChildMemory['cpu']));
        child.send(CPU);
      }),
    stop: () => child.kill(),
  };
}

/** A child: the simulator, the relay, or both on one server (as `npm start` mounts them). */
async function benchChild(role: Role): Promise<void> {
  const { createRelay } = await import('../src/server/relay/index.ts');
  const { createSimulator } = await import('../src/server/simulator/index.ts');
  const server = createServer();
  const port = await listen(server);
  const simulator = role === 'relay' ? undefined : createSimulator({ maxSessions: 100_000, idleTimeoutMs: 0 });
  const relay =
    role === 'simulator'
      ? undefined
      : createRelay({
          secret: process.env.BENCH_SECRET!,
          upstreamUrl: role === 'cohosted' ? `ws://127.0.0.1:${port}/hydra-sim` : process.env.BENCH_UPSTREAM!,
          apiKey: 'bench-key',
          maxSessionsPerIp: 100_000,
          maxSessionsPerToken: 100_000,
        });
  server.on('upgrade', (req, socket, head) => {
    const path = (req.url ?? '/').split('?')[0];
    if (relay && path === '/hydra') relay.handleUpgrade(req, socket, head);
    else if (simulator) simulator.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  const gc = (globalThis as { gc?: () => void }).gc;
  process.on('message', (m) => {
    if (m === CPU) process.send!(process.cpuUsage());
    if (m !== MEM) return;
    gc?.();
    gc?.();
    const mem = process.memoryUsage();
    process.send!({ heapUsed: mem.heapUsed, rss: mem.rss, external: mem.external + mem.arrayBuffers, cpu: process.cpuUsage() });
  });
  process.send!({ port });
}

interface Client {
  ws: WebSocket;
  send(frame: string): void;
  /** Sends a probe; its round trip is recorded when `record` is true. */
  probe(record: boolean): void;
  rtts: number[];
}

let probeSeq = 0;

/** A session (waits for session.created), recording probe round trips. */
function openClient(url: string): Promise<Client> {
  const ws = new WebSocket(url, { perMessageDeflate: false, origin: ORIGIN });
  const pending = new Map<string, { at: number; record: boolean }>();
  const rtts: number[] = [];
  ws.on('message', (data: Buffer) => {
    const text = data.toString();
    const match = /"event_id":"(probe_\d+)"/.exec(text);
    const sent = match ? pending.get(match[1]!) : undefined;
    if (!sent) return;
    pending.delete(match![1]!);
    if (sent.record) rtts.push(performance.now() - sent.at);
  });
  return new Promise((resolveClient, reject) => {
    ws.once('message', () =>
      resolveClient({
        ws,
        rtts,
        send: (frame) => ws.send(frame),
        probe(record) {
          const id = `probe_${++probeSeq}`;
          pending.set(id, { at: performance.now(), record });
          ws.send(`{"type":"bench.probe","event_id":"${id}"}`);
        },
      }),
    );
    ws.once('error', reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function sessionUrl(base: string, relayed: boolean): Promise<string> {
  if (!relayed) return `${base}?model=hydra-v1.1&api_key=bench`;
  const { mintToken } = await import('../src/server/token/index.ts');
  return `${base}?model=hydra-v1.1&api_key=${mintToken({ secret: SECRET, origin: ORIGIN, ttlSeconds: 600 })}`;
}

/** One direct and one relayed session, alternating probes every 10 ms. */
async function oneSession(simulatorUrl: string, relayUrl: string, frames: number): Promise<Added> {
  const direct = await openClient(await sessionUrl(simulatorUrl, false));
  const relayed = await openClient(await sessionUrl(relayUrl, true));
  const warmup = 50;
  for (let i = 0; i < frames + warmup; i++) {
    direct.probe(i >= warmup);
    await sleep(10);
    relayed.probe(i >= warmup);
    await sleep(10);
  }
  await sleep(100);
  direct.ws.close();
  relayed.ws.close();
  return added(direct.rtts, relayed.rtts);
}

interface LoadResult {
  direct: number[];
  relayed: number[];
}

/**
 * N direct and N relayed sessions; in alternating windows one group streams a frame every
 * 20 ms (staggered) and a probe every 200 ms. `duringRelayed` runs once inside a relayed
 * window, while that group streams (for the relay's memory and CPU).
 */
async function alternatingLoad(directUrl: () => Promise<string>, relayUrl: () => Promise<string>, sessions: number, windows: number, duringRelayed?: (windowMs: number) => Promise<void>): Promise<LoadResult> {
  const windowMs = 750;
  const groups = {
    direct: await Promise.all(Array.from({ length: sessions }, async () => openClient(await directUrl()))),
    relayed: await Promise.all(Array.from({ length: sessions }, async () => openClient(await relayUrl()))),
  };
  const frames = Array.from({ length: 50 }, (_, i) => audioFrame(i));
  let seq = 0;
  let sampling = false;
  for (let w = 0; w < windows; w++) {
    const group = w % 2 === 0 ? groups.direct : groups.relayed;
    const intervals: NodeJS.Timeout[] = [];
    const starts = group.map((c, i) =>
      setTimeout(() => {
        let tick = i;
        intervals.push(
          setInterval(() => {
            c.send(frames[seq++ % frames.length]!);
            if (++tick % 10 === 0) c.probe(sampling);
          }, 20),
        );
      }, (i * 20) / sessions),
    );
    await sleep(150);
    sampling = true;
    if (w === 3) await duringRelayed?.(windowMs - 150);
    else await sleep(windowMs - 150);
    sampling = false;
    for (const t of starts) clearTimeout(t);
    for (const t of intervals) clearInterval(t);
    await sleep(50); // let answers in flight land
  }
  const all = [...groups.direct, ...groups.relayed];
  await Promise.all(all.map((c) => new Promise<void>((r) => (c.ws.once('close', () => r()), c.ws.close(1000)))));
  return { direct: groups.direct.flatMap((c) => c.rtts), relayed: groups.relayed.flatMap((c) => c.rtts) };
}

/** Runs both deployments; see the module comment for how each figure is measured. */
export async function runRelayBench(options: RelayBenchOptions = {}): Promise<{ rows: Row[]; figures: RelayBenchFigures }> {
  const frames = options.frames ?? 200;
  const sessions = options.sessions ?? 100;
  const windows = Math.max(4, options.windows ?? 6);
  const simulator = await startChild('simulator');
  const relay = await startChild('relay', simulator.simulatorUrl);
  const cohosted = await startChild('cohosted');
  try {
    // Alone: relay process → simulator process.
    const aloneOne = await oneSession(simulator.simulatorUrl!, relay.relayUrl!, frames);
    const before = await relay.memory();
    let during: ChildMemory | undefined;
    let cpuShare = 0;
    const aloneLoad = await alternatingLoad(() => sessionUrl(simulator.simulatorUrl!, false), () => sessionUrl(relay.relayUrl!, true), sessions, windows, async (ms) => {
      const start = await relay.cpu();
      const t0 = performance.now();
      await sleep(ms);
      const end = await relay.cpu();
      cpuShare = (end.user - start.user + end.system - start.system) / 1000 / (performance.now() - t0);
      during = await relay.memory();
    });

    // Co-hosted: one process, relay → simulator on the same event loop.
    const cohostedOne = await oneSession(cohosted.simulatorUrl!, cohosted.relayUrl!, frames);
    const cohostedLoad = await alternatingLoad(() => sessionUrl(cohosted.simulatorUrl!, false), () => sessionUrl(cohosted.relayUrl!, true), sessions, windows);

    const kb = (bytes: number) => Math.round((bytes / 1024 / sessions) * 10) / 10;
    const figures: RelayBenchFigures = {
      frameBytes: Buffer.byteLength(audioFrame(0)),
      sessions,
      alone: {
        one: aloneOne,
        load: added(aloneLoad.direct, aloneLoad.relayed),
        memoryPerSession: {
          heapKB: kb(during!.heapUsed - before.heapUsed),
          rssKB: kb(during!.rss - before.rss),
          externalKB: kb(during!.external - before.external),
        },
        relayCpuPercent: Math.round(cpuShare * 1000) / 10,
      },
      cohosted: { one: cohostedOne, load: added(cohostedLoad.direct, cohostedLoad.relayed) },
    };
    const ms = (n: number) => `${n.toFixed(3)} ms`;
    const latencyRows = (label: string, a: Added, how: string): Row[] => [
      [`${label} p50`, ms(a.addedP50Ms), `via relay ${ms(a.relayed.p50)} vs direct ${ms(a.direct.p50)}; ${how}`],
      [`${label} p99`, ms(a.addedP99Ms), `via relay ${ms(a.relayed.p99)} vs direct ${ms(a.direct.p99)}; ${a.samples} probes`],
    ];
    const rows: Row[] = [
      ...latencyRows('added latency, relay alone, 1 session', aloneOne, 'relay and simulator in separate processes'),
      ...latencyRows(`added latency, relay alone, ${sessions} sessions`, figures.alone.load, `${sessions} × 50 audio frames/s (${figures.frameBytes} B)`),
      ...latencyRows('added latency, co-hosted, 1 session', cohostedOne, 'relay + simulator in one process (npm start)'),
      ...latencyRows(`added latency, co-hosted, ${sessions} sessions`, figures.cohosted.load, 'the relay shares its event loop with the simulator'),
      ['relay memory per session (heap)', `${figures.alone.memoryPerSession.heapKB} kB`, `relay process, after GC, ${sessions} streaming sessions`],
      ['relay memory per session (RSS)', `${figures.alone.memoryPerSession.rssKB} kB`, `external+arrayBuffers ${figures.alone.memoryPerSession.externalKB} kB`],
      ['relay CPU at load', `${figures.alone.relayCpuPercent} %`, `of one core, ${sessions * 55} frames/s up (relay alone)`],
    ];
    return { rows, figures };
  } finally {
    relay.stop();
    simulator.stop();
    cohosted.stop();
  }
}

if (process.argv.includes('--bench-child')) {
  await benchChild(process.argv[process.argv.indexOf('--bench-child') + 1] as Role);
} else if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const { rows, figures } = await runRelayBench();
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i]!.length)));
  console.log('\nrelay bench (loopback)\n');
  for (const row of rows) console.log(row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
  console.log(`\n${JSON.stringify(figures, null, 2)}`);
}
