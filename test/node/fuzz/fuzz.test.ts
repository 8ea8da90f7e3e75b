// A seeded fuzzer against the simulator and against the relay (relay → simulator, as
// `npm start` mounts them, token endpoint included): thousands of mutated client frames
// per target (mutations.ts), sent from a child process (fuzz-client.ts) by parallel
// sessions that also speak, call tools and reconnect whenever a frame closed their socket.
// It passes when
//   - no exception reaches a session boundary (0 internal errors) and the process lives;
//   - every frame the simulator sends still matches the AsyncAPI contract;
//   - this process's event loop is never held 100 ms or more, and a bystander session's
//     round trips (p99) stay under 100 ms. Both are counted in the main thread's CPU time
//     (LoopMeter, threadCpuMs), which is what the simulator controls: on a loaded machine
//     wall-clock times mostly measure the neighbours (the wall-clock round trips, idle and
//     under fuzz in the same run, are printed for information).
// HV_FUZZ_SEED and HV_FUZZ_FRAMES override the seed and the frames per target.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { startDevServer, type DevServer } from '../../../src/server/dev-server.ts';
import { listenSimulator, type FrameTap, type ListeningSimulator, type SimulatorOptions } from '../../../src/server/simulator/index.ts';
import { http } from '../relay/helpers.ts';
import { FAST, TestClient } from '../simulator/helpers.ts';
import { LoopMeter, threadCpuMs } from '../simulator/loop-meter.ts';
import { specValidator } from '../simulator/spec-schemas.ts';
import type { FuzzJob, FuzzStats } from './fuzz-client.ts';

const SEED = Number(process.env.HV_FUZZ_SEED ?? 104_729);
const FRAMES_PER_TARGET = Number(process.env.HV_FUZZ_FRAMES ?? 2500);
const MAX_BLOCK_MS = 100;
const MAX_ROUND_TRIP_CPU_MS = 100;

const spec = specValidator();
const internalErrors: string[] = [];
const contractProblems: string[] = [];
let framesChecked = 0;
const simulatorOptions: SimulatorOptions = {
  ...FAST,
  toolResponseWindowMs: 400,
  onInternalError: (e) => internalErrors.push(e.stack ?? e.message),
  onFrame: (f: FrameTap) => {
    if (f.direction !== 'sent') return;
    framesChecked++;
    const problems = spec.validate('server', JSON.parse(f.data));
    if (problems.length > 0 && contractProblems.length < 20) contractProblems.push(`${problems.join('; ')} in ${f.data.slice(0, 300)}`);
  },
};

let sim: ListeningSimulator;
let dev: DevServer;

before(async () => {
  sim = await listenSimulator(simulatorOptions);
  dev = await startDevServer({ port: 0, upstream: 'simulator', simulator: simulatorOptions, relay: { maxSessionsPerIp: 100 },
    // Every fuzz reconnect asks for a token; the default 60 per minute per IP would answer 429.
    tokenRateLimit: 100_000,
  });
});
after(async () => {
  await sim.close();
  await dev.close();
});

/**
 * Round trips of a configured session (a tools change and its echo), one every 25 ms until
 * stopped: in wall-clock ms, and in main-thread CPU ms (the work this process did before
 * it could answer).
 */
function bystander(c: TestClient) {
  const rtts: number[] = [];
  const cpuRtts: number[] = [];
  let stopped = false;
  let n = 0;
  const done = (async () => {
    while (!stopped) {
      const name = `b${++n}`;
      const mark = c.frames.length;
      const t0 = performance.now();
      const cpu0 = threadCpuMs();
      c.send({ type: 'session.update', session: { tools: [{ type: 'function', name }] } });
      await c.waitFor((f) => f.type === 'session.updated' && f.session.tools[0].name === name, { from: mark, timeoutMs: 30_000 });
      cpuRtts.push(threadCpuMs() - cpu0);
      rtts.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  return {
    rtts,
    cpuRtts,
    stop: async () => {
      stopped = true;
      await done;
    },
  };
}

const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))] ?? NaN;

function runClients(job: FuzzJob): Promise<FuzzStats[]> {
  const child = fork(new URL('./fuzz-client.ts', import.meta.url), ['--fuzz-client'], { execArgv: ['--import', 'tsx', '--no-warnings'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  child.send(job);
  return new Promise((resolve, reject) => {
    child.once('message', (m: { stats?: FuzzStats[]; error?: string }) => (m.stats ? resolve(m.stats) : reject(new Error(`fuzz client: ${m.error}`))));
    child.once('exit', (code) => reject(new Error(`fuzz client exited with ${code}`)));
  });
}

describe('fuzzing the simulator and the relay', () => {
  it(`seed ${SEED}: ${FRAMES_PER_TARGET} mutated frames per target, nothing crashes, nothing stalls`, { timeout: 240_000 }, async () => {
    const origin = `http://localhost:${dev.port}`;
    const watcher = await TestClient.configured(sim.url, {});
    const idle = bystander(watcher);
    await new Promise((r) => setTimeout(r, 1500));
    await idle.stop();

    const meter = new LoopMeter().start();
    const busy = bystander(watcher);
    const stats = await runClients({
      seed: SEED,
      frames: FRAMES_PER_TARGET,
      sessionsPerTarget: 3,
      targets: [
        { name: 'simulator', url: sim.url },
        { name: 'relay → simulator', url: `ws://127.0.0.1:${dev.port}/hydra`, tokenEndpoint: `http://127.0.0.1:${dev.port}/api/hydra-token`, origin },
      ],
    });
    await busy.stop();
    const loop = meter.stop();
    watcher.close();

    const idleP99 = quantile(idle.rtts, 0.99);
    const busyP99 = quantile(busy.rtts, 0.99);
    const cpuP99 = quantile(busy.cpuRtts, 0.99);
    console.log(
      [
        `fuzz seed ${SEED}`,
        ...stats.map((s) => `  ${s.target}: ${s.frames} frames (+${s.audioFrames} audio), ${s.reconnects} reconnects, kinds ${JSON.stringify(s.kinds)}`),
        `  server frames checked against the contract: ${framesChecked}`,
        `  longest event-loop block: ${loop.longestBlockMs.toFixed(1)} ms (${loop.clock})`,
        `  bystander round trip under fuzz, main-thread CPU: p99 ${cpuP99.toFixed(1)} ms, max ${Math.max(...busy.cpuRtts).toFixed(1)} ms (${busy.cpuRtts.length} round trips)`,
        `  bystander round trip, wall clock: p99 idle ${idleP99.toFixed(1)} ms, under fuzz ${busyP99.toFixed(1)} ms (max ${Math.max(...busy.rtts).toFixed(1)} ms)`,
      ].join('\n'),
    );

    assert.deepEqual(internalErrors.slice(0, 3), [], 'no exception reached a session boundary');
    assert.deepEqual(contractProblems.slice(0, 5), [], 'every simulator frame matches the contract');
    for (const s of stats) assert.ok(s.frames >= FRAMES_PER_TARGET, `${s.target}: ${s.frames} frames`);
    assert.ok(loop.longestBlockMs < MAX_BLOCK_MS, `event loop held for ${loop.longestBlockMs.toFixed(1)} ms`);
    assert.ok(cpuP99 < MAX_ROUND_TRIP_CPU_MS, `bystander round trip p99 took ${cpuP99.toFixed(1)} ms of main-thread CPU`);
    assert.equal((await http(`http://127.0.0.1:${dev.port}/api/hydra-token`, { method: 'POST', headers: { Origin: origin } })).status, 200);
  });
});
