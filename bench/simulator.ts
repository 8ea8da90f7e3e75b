// Simulator capacity on this machine: how many sessions it holds at real time, and what
// each costs; plus speech synthesis throughput and its memory over many new sentences.
//
// How it is measured
// - The simulator runs in a child process (own event loop, as deployed), default options
//   (real-time pacing, 600 ms reply latency), replies from a small set of sentences (so
//   the sentence cache answers, as it does for a demo's repeated lines).
// - Each session streams like a browser: 20 ms uplink frames at real time, looping 1 s of
//   silence, a spoken question (the Flite fixture, ≈ 2.5 s) and 4 s of silence, so every
//   session has a turn and a reply (≈ 2 s of 48 kHz audio paced at real time) every 7.5 s.
// - Levels of 25, 50, 100, 200, 300, 400 sessions; at each, after 2 s of ramp-up, 4 s measured:
//   the child's main-thread CPU (/proc/thread-self/schedstat: the event loop), its process
//   CPU (adds the synthesis worker and V8's helper threads) and its event-loop delay p99
//   (perf_hooks). A level is held at real time while the loop delay p99 stays under 50 ms
//   (a reply streams 200 ms ahead of playback, so audio never starves) and the bench itself
//   sent every session's frames on time (else it, not the simulator, is the limit). The
//   sweep stops at the first level that is not held. On a shared machine the loop delay
//   also counts time the simulator waits for a CPU, so that figure depends on the
//   neighbours (the load average is printed with it); the CPU per session does not, and
//   gives the ceiling if the event loop had a core to itself.
// - Synthesis: new sentences through the worker, one at a time (sentences/s), then file
//   descriptors and RSS across HV_BENCH_SYNTHESES more (default 200; 1000 for the leak
//   figure in issue #10: `HV_BENCH_SYNTHESES=1000 node --import tsx bench/simulator.ts`).
import { fork, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import WebSocket from 'ws';

type Row = [figure: string, value: string, how: string];

export interface SimulatorBenchOptions {
  /** Session counts to try, ascending. Default [25, 50, 100, 200, 300, 400]. */
  levels?: number[];
  /** Measured time per level. Default 4000 ms. */
  measureMs?: number;
  /** New sentences for the memory figure. Default HV_BENCH_SYNTHESES or 100. */
  syntheses?: number;
}

interface LevelFigures {
  sessions: number;
  mainThreadCpuPercent: number;
  processCpuPercent: number;
  loopDelayP99Ms: number;
  replies: number;
  /** Uplink frames sent / frames due (1 = the bench kept real time). */
  uplinkOnTime: number;
  held: boolean;
}

export interface SimulatorBenchFigures {
  levels: LevelFigures[];
  sessionsAtRealTime: number;
  /** Sessions one core would hold: CEILING_BUSY / event-loop CPU per session. */
  ceilingPerCore: number;
  mainThreadCpuPerSessionPercent: number;
  processCpuPerSessionPercent: number;
  synthesis: { sentencesPerSecond: number; syntheses: number; fdsDelta: number; rssDeltaMB: number; rssAfterFirstHalfMB: number };
  loadAverage: number;
}

const MAX_DELAY_P99_MS = 50;
const MIN_UPLINK_ON_TIME = 0.9;
/** Share of a core the event loop may use in the ceiling estimate. */
const CEILING_BUSY = 0.8;

interface ChildSample {
  mainCpuMs: number;
  processCpuMs: number;
  delayP99Ms: number;
  at: number;
}

const threadCpuMs = () => Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ', 1)[0]) / 1e6;

/** The child: a simulator answering with cached sentences; samples CPU and loop delay on request. */
async function simulatorChild(): Promise<void> {
  const { listenSimulator } = await import('../src/server/simulator/index.ts');
  const lines = ['Sure, here is a short answer.', 'It is sunny in Paris today.', 'Let me check that for you.'];
  const sim = await listenSimulator({ maxSessions: 100_000, replyText: ({ turn }) => lines[turn % lines.length]! });
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  process.on('message', (m) => {
    if (m !== 'sample') return;
    const cpu = process.cpuUsage();
    process.send!({ mainCpuMs: threadCpuMs(), processCpuMs: (cpu.user + cpu.system) / 1000, delayP99Ms: delay.percentile(99) / 1e6, at: performance.now() } satisfies ChildSample);
    delay.reset();
  });
  process.send!({ url: sim.url });
}

async function startChild(): Promise<{ url: string; sample(): Promise<ChildSample>; stop(): void }> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--simulator-child'], {
    execArgv: ['--import', 'tsx', '--no-warnings', ...(process.env.HV_BENCH_CHILD_FLAGS ?? '').split(' ').filter(Boolean)],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolveUrl, reject) => {
    child.once('message', (m) => resolveUrl((m as { url: string }).url));
    child.once('exit', (code) => reject(new Error(`simulator child exited with ${code}`)));
  });
  return {
    url,
    sample: () =>
      new Promise((r) => {
        child.once('message', (m) => r(m as ChildSample));
        child.send('sample');
      }),
    stop: () => child.kill(),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One browser-like session, configured (fails after 15 s). */
async function openSession(url: string): Promise<{ ws: WebSocket; replies: () => number }> {
  const ws = new WebSocket(`${url}?model=hydra-v1.1&api_key=bench`, { perMessageDeflate: false });
  let replies = 0;
  await new Promise<void>((resolveOpen, reject) => {
    setTimeout(() => reject(new Error('no session.configured within 15 s')), 15_000).unref();
    ws.on('message', (data: Buffer) => {
      const text = data.toString();
      if (text.startsWith('{"type":"session.created"')) ws.send('{"type":"session.configure","session":{"voice":"maya"}}');
      else if (text.startsWith('{"type":"session.configured"')) resolveOpen();
      else if (text.startsWith('{"type":"response.done"')) replies++;
    });
    ws.once('error', reject);
    ws.once('close', (code) => reject(new Error(`session closed with ${code} before session.configured`)));
  });
  return { ws, replies: () => replies };
}

async function capacity(levels: number[], measureMs: number, frames: string[]): Promise<LevelFigures[]> {
  const child = await startChild();
  const sessions: { ws: WebSocket; replies: () => number; at: number }[] = [];
  const results: LevelFigures[] = [];
  let sent = 0;
  // One timer drives every session: each sends the frames due since its last tick (a late
  // tick catches up, as a browser's capture buffer would), from staggered starting points.
  let due = performance.now();
  const pump = setInterval(() => {
    const now = performance.now();
    const ticks = Math.floor((now - due) / 20);
    if (ticks <= 0) return;
    due += ticks * 20;
    for (const s of sessions) {
      for (let t = 0; t < ticks && s.ws.readyState === s.ws.OPEN; t++) {
        s.ws.send(frames[s.at++ % frames.length]!);
        sent++;
      }
    }
  }, 10);
  try {
    for (const level of levels) {
      try {
        while (sessions.length < level) {
          const batch = await Promise.all(Array.from({ length: Math.min(25, level - sessions.length) }, () => openSession(child.url)));
          for (const s of batch) sessions.push({ ...s, at: Math.floor(Math.random() * frames.length) });
        }
      } catch (e) {
        console.error(`simulator bench: stopped at ${sessions.length} sessions: ${(e as Error).message}`);
        break;
      }
      await sleep(2000);
      const repliesBefore = sessions.reduce((n, s) => n + s.replies(), 0);
      const sentBefore = sent;
      const t0 = performance.now();
      const a = await child.sample();
      await sleep(measureMs);
      const b = await child.sample();
      const uplinkOnTime = (sent - sentBefore) / (level * 50 * ((performance.now() - t0) / 1000));
      const wall = b.at - a.at;
      const main = (b.mainCpuMs - a.mainCpuMs) / wall;
      const figures: LevelFigures = {
        sessions: level,
        mainThreadCpuPercent: Math.round(main * 1000) / 10,
        processCpuPercent: Math.round(((b.processCpuMs - a.processCpuMs) / wall) * 1000) / 10,
        loopDelayP99Ms: Math.round(b.delayP99Ms * 10) / 10,
        replies: sessions.reduce((n, s) => n + s.replies(), 0) - repliesBefore,
        uplinkOnTime: Math.round(uplinkOnTime * 100) / 100,
        held: b.delayP99Ms < MAX_DELAY_P99_MS && uplinkOnTime >= MIN_UPLINK_ON_TIME,
      };
      results.push(figures);
      if (process.env.HV_BENCH_VERBOSE) console.error(`simulator bench: ${JSON.stringify(figures)}`);
      if (!figures.held) break;
    }
  } finally {
    clearInterval(pump);
    for (const s of sessions) s.ws.terminate();
    child.stop();
  }
  return results;
}

async function synthesis(count: number): Promise<SimulatorBenchFigures['synthesis']> {
  const { synthesizeOffThread } = await import('../src/server/tts/synthesis-thread.ts');
  const fds = () => readdirSync('/proc/self/fd').length;
  const rssMB = () => process.memoryUsage().rss / 1024 / 1024;
  await synthesizeOffThread('Starting the synthesis worker.');
  const t0 = performance.now();
  for (let i = 0; i < 30; i++) await synthesizeOffThread(`Throughput sentence number ${i}, never heard before.`);
  const sentencesPerSecond = Math.round((30 / ((performance.now() - t0) / 1000)) * 10) / 10;
  const fds0 = fds();
  const rss0 = rssMB();
  let rssHalf = rss0;
  for (let i = 0; i < count; i++) {
    await synthesizeOffThread(`Memory check sentence ${i}, also new.`);
    if (i === Math.floor(count / 2)) rssHalf = rssMB();
  }
  return {
    sentencesPerSecond,
    syntheses: count,
    fdsDelta: fds() - fds0,
    rssDeltaMB: Math.round((rssMB() - rss0) * 10) / 10,
    rssAfterFirstHalfMB: Math.round((rssMB() - rssHalf) * 10) / 10,
  };
}

/** Runs every phase; see the module comment for how each figure is measured. */
export async function runSimulatorBench(options: SimulatorBenchOptions = {}): Promise<{ rows: Row[]; figures: SimulatorBenchFigures }> {
  const levels = options.levels ?? [25, 50, 100, 200, 300, 400];
  const measureMs = options.measureMs ?? 4000;
  const syntheses = options.syntheses ?? Number(process.env.HV_BENCH_SYNTHESES ?? 100);

  const { synthesizeSpeech } = await import('../src/server/tts/flite.ts');
  const question = await synthesizeSpeech('What is the weather like in Paris today?', { sampleRate: 16_000 });
  const loop = new Int16Array(16_000 + question.length + 64_000);
  loop.set(question, 16_000);
  const frames: string[] = [];
  for (let i = 0; i + 320 <= loop.length; i += 320) {
    frames.push(JSON.stringify({ type: 'input_audio_buffer.append', audio: Buffer.from(loop.buffer, loop.byteOffset + i * 2, 640).toString('base64') }));
  }

  const levelFigures = await capacity(levels, measureMs, frames);
  const held = levelFigures.filter((l) => l.held);
  const top = held.at(-1);
  // CPU per session from the largest level the simulator kept up with (else the smallest tried).
  const basis = top ?? levelFigures[0]!;
  const synth = await synthesis(syntheses);
  const figures: SimulatorBenchFigures = {
    levels: levelFigures,
    sessionsAtRealTime: top?.sessions ?? 0,
    ceilingPerCore: Math.floor((CEILING_BUSY * 100) / (basis.mainThreadCpuPercent / basis.sessions)),
    mainThreadCpuPerSessionPercent: Math.round((basis.mainThreadCpuPercent / basis.sessions) * 1000) / 1000,
    processCpuPerSessionPercent: Math.round((basis.processCpuPercent / basis.sessions) * 1000) / 1000,
    synthesis: synth,
    loadAverage: Math.round(loadavg()[0]! * 10) / 10,
  };
  const tried = levelFigures.at(-1)!;
  const rows: Row[] = [
    [
      'sessions held at real time, now',
      top && top === tried && tried.sessions === levels.at(-1) ? `≥ ${figures.sessionsAtRealTime}` : String(figures.sessionsAtRealTime),
      `loop delay p99 < ${MAX_DELAY_P99_MS} ms; each session streams 50 frames/s, a turn and a reply every 7.5 s (load average ${figures.loadAverage})`,
    ],
    ['event-loop CPU per session', `${figures.mainThreadCpuPerSessionPercent} %`, `of one core, at ${basis.sessions} sessions (main thread: frames, turn detection, pacing)`],
    ['sessions per core (estimate)', `≈ ${figures.ceilingPerCore}`, `${CEILING_BUSY * 100} % of a core / event-loop CPU per session, with that core to itself`],
    ['process CPU per session', `${figures.processCpuPerSessionPercent} %`, 'of one core (adds synthesis worker and V8 helper threads)'],
    ...levelFigures.map((l): Row => [
      `  ${l.sessions} sessions`,
      `${l.mainThreadCpuPercent} % loop`,
      `process ${l.processCpuPercent} %, loop delay p99 ${l.loopDelayP99Ms} ms (wall clock), ${l.replies} replies in ${measureMs / 1000} s${l.held ? '' : l.uplinkOnTime < MIN_UPLINK_ON_TIME ? ` — the bench sent only ${Math.round(l.uplinkOnTime * 100)} % of frames on time` : ' — not held'}`,
    ]),
    ['speech synthesis throughput', `${synth.sentencesPerSecond} sentences/s`, 'new sentences, one worker thread (repeats come from the cache)'],
    ['synthesis memory', `RSS ${synth.rssDeltaMB >= 0 ? '+' : ''}${synth.rssDeltaMB} MB, fds ${synth.fdsDelta >= 0 ? '+' : ''}${synth.fdsDelta}`, `across ${synth.syntheses} new sentences (second half: RSS ${synth.rssAfterFirstHalfMB >= 0 ? '+' : ''}${synth.rssAfterFirstHalfMB} MB)`],
  ];
  return { rows, figures };
}

if (process.argv.includes('--simulator-child')) {
  await simulatorChild();
} else if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const { rows, figures } = await runSimulatorBench();
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i]!.length)));
  console.log('\nsimulator bench\n');
  for (const row of rows) console.log(row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
  console.log(`\n${JSON.stringify(figures, null, 2)}`);
  process.exit(0);
}
