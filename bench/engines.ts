// Per-engine figures, side by side, in one run: Chromium, Firefox ESR, WebKitGTK, and
// Chromium without Chrome-wide echo cancellation (what older Chromes do). Each engine gets
// its own PulseAudio room with the loudspeaker playing into the mic at 0 dB (the
// speakerphone rig, test/support/pulse.ts) and opens a bench page (bench/engines/page.ts
// before dist/hydra-voice.js) served with the token endpoint, relay and simulator of
// src/server/dev-server.ts.
//
//   clocks      AudioContext rate, engine-reported output latency, getOutputTimestamp's scale
//   capture     mic sample → chunk posted (the shipped capture worklet)
//   echo        the agent's voice at the mic: attenuation of a track with the browser's echo
//               cancellation vs one without, median of 250 ms windows, per output route
//   route cost  output latency the WebRTC route adds (loudspeaker → mic lag, both routes)
//   conversation  the element in the rig: prompts, replies of ~4 s, long replies the user
//               talks over; self-interruptions per 10 replies, first delta → audible,
//               barge-in → silence, underruns
// Figures, not assertions. Run alone: `node --import tsx bench/engines.ts [--json]`;
// HV_ENGINES=chromium,webkit limits the engines.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { startDevServer } from '../src/server/dev-server.ts';
import { encodeWav } from '../src/server/audio/wav.ts';
import { speak } from '../src/server/simulator/speech.ts';
import type { ReplyContext } from '../src/server/simulator/index.ts';
import { prepareFixtures } from '../test/support/fixtures.ts';
import { ENGINES, SPEAKERPHONE_ONLY, engineMissing, type EngineName } from '../test/support/engines.ts';
import { openEnginePage, type EnginePage } from '../test/support/engine-driver.ts';
import { startPulseRoom, type PulseRoom } from '../test/support/pulse.ts';

type Row = [figure: string, value: string, how: string];

const LONG_REPLY =
  'Here is a long answer, so that you have time to interrupt me. The weather in Paris is mild today, ' +
  'with a light breeze from the west and a few clouds in the afternoon. Tomorrow looks much the same, ' +
  'although there may be a short shower in the evening, so an umbrella would not hurt.';
const REPLY = 'The weather in Paris is mild today, with a light breeze from the west.';
/** Per cycle: three prompts answered by ~4 s replies, a question answered at length, an interruption. */
const CYCLE = 5;
const CYCLES = Number(process.env.HV_ENGINE_CYCLES ?? 2);

const f0 = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : 'n/a');
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]! : NaN);
const p95 = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(0.95 * xs.length))]! : NaN);
const wavMs = (samples: number) => (samples / 48_000) * 1000;

interface Status {
  state: string;
  responses: number;
  lastDone?: string;
  lastAudibleS: number;
}

async function waitStatus(page: EnginePage, what: string, ok: (s: Status) => boolean, timeoutMs = 40_000): Promise<Status> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const s = await page.evaluate<Status>('__engineBench.status()');
    if (ok(s)) return s;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what} (last status ${JSON.stringify(s)})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The element in the rig: CYCLES × (3 prompts, a question answered at length that the user interrupts). */
async function converse(page: EnginePage, room: PulseRoom, voices: { file: string; ms: number }[]) {
  const [prompt, question, interruption] = voices as [{ file: string; ms: number }, { file: string; ms: number }, { file: string; ms: number }];
  const speak = async (v: { file: string; ms: number }) => {
    await page.evaluate(`__engineBench.userVoice(${v.ms}, ${JSON.stringify(v === interruption ? 'interruption' : 'prompt')})`);
    await room.play(v.file).done;
  };
  await page.evaluate('__engineBench.startConversation()');
  for (let c = 0; c < CYCLES; c++) {
    for (let k = 0; k < 3; k++) {
      const before = (await page.evaluate<Status>('__engineBench.status()')).responses;
      await speak(prompt);
      await waitStatus(page, 'a reply played out', (s) => s.responses > before && s.lastDone !== undefined && s.state === 'listening');
    }
    const before = (await page.evaluate<Status>('__engineBench.status()')).responses;
    await speak(question);
    await waitStatus(page, 'the long reply for 2.5 s', (s) => s.responses > before && s.lastAudibleS >= 2.5);
    await speak(interruption);
    // The reply to the interruption, or, where the guard gated the voice (a missed barge-in,
    // counted in the summary), the long reply played out: either way a completed reply.
    await waitStatus(page, 'the reply to the interruption (or the long reply, if the barge-in was missed)', (s) => s.lastDone === 'completed' && s.state === 'listening');
  }
  return page.evaluate<Record<string, any>>('__engineBench.conversationSummary()');
}

async function benchEngine(engine: EngineName, url: string, fixtures: Awaited<ReturnType<typeof prepareFixtures>>, voices: { file: string; ms: number }[], log: (l: string) => void) {
  const room = await startPulseRoom(engine, log);
  const out: Record<string, any> = { engine };
  try {
    let page = await openEnginePage(engine, url, room, log);
    try {
      out.clocks = await page.evaluate('__engineBench.clocks()');
      out.capture = await page.evaluate('__engineBench.capture()');
      room.speakerphone(true);
      out.echoDirect = await page.evaluate(`__engineBench.echo('direct', '/agent.wav')`);
      if (out.clocks.webrtc) {
        out.echoWebrtc = await page.evaluate(`__engineBench.echo('webrtc', '/agent.wav')`);
        out.routeCost = await page.evaluate('__engineBench.routeCost()');
      }
    } finally {
      await page.close();
    }
    // A fresh page for the conversation (its tap follows the element's AudioContext).
    room.ambience(fixtures.roomToneWav);
    page = await openEnginePage(engine, url, room, log);
    try {
      out.conversation = await converse(page, room, voices);
    } finally {
      await page.close();
    }
  } catch (e) {
    out.error = (e as Error).message;
    console.error(`engines bench: ${engine} failed: ${out.error}`); // the table only says "failed"
  } finally {
    await room.stop();
  }
  return out;
}

/** Runs the per-engine benchmark; returns table rows and the raw figures. */
export async function runEnginesBench(): Promise<{ rows: Row[]; figures: Record<string, any> }> {
  const log = (l: string) => process.env.HV_ENGINE_LOG && console.error(l);
  const wanted = (process.env.HV_ENGINES?.split(',') ?? [...ENGINES, ...SPEAKERPHONE_ONLY]) as EngineName[];
  const engines = wanted.filter((e) => !engineMissing(e));
  const fixtures = await prepareFixtures();
  const agent = await speak(LONG_REPLY, 'maya');
  for (const text of [LONG_REPLY, REPLY]) await speak(text, 'maya'); // fill the simulator's cache
  const page = await build({
    entryPoints: [fileURLToPath(new URL('./engines/page.ts', import.meta.url))],
    bundle: true,
    format: 'iife',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const root = mkdtempSync(join(tmpdir(), 'hv-engines-bench-'));
  mkdirSync(join(root, 'demo'));
  symlinkSync(fileURLToPath(new URL('../dist', import.meta.url)), join(root, 'dist'));
  writeFileSync(join(root, 'demo', 'bench.js'), page.outputFiles[0]!.text);
  writeFileSync(join(root, 'demo', 'agent.wav'), encodeWav(agent, 48_000));
  writeFileSync(
    join(root, 'demo', 'index.html'),
    '<!doctype html><meta charset="utf-8"><title>engine bench</title><script src="/bench.js"></script>' +
      '<script src="/dist/hydra-voice.js"></script>' +
      '<hydra-voice token-endpoint="/api/hydra-token" voice="maya" persona="You are a weather bot."></hydra-voice>',
  );
  const server = await startDevServer({
    port: 0,
    upstream: 'simulator',
    root,
    simulator: { replyText: (c: ReplyContext) => (c.turn % CYCLE === 4 ? LONG_REPLY : REPLY) },
  });
  const wavSamples = (file: string) => (readFileSync(file).length - 44) / 2; // 16-bit mono, 44-byte header
  const voices = [fixtures.promptWav, fixtures.questionWav, fixtures.interruptionWav].map((file) => ({ file, ms: Math.round(wavMs(wavSamples(file))) }));
  const results: Record<string, any> = {};
  try {
    for (const engine of engines) {
      console.error(`engines bench: ${engine}…`);
      results[engine] = await benchEngine(engine, `${server.url}index.html`, fixtures, voices, log);
    }
  } finally {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  }
  return { rows: rowsOf(results, engines), figures: results };
}


/** One row per figure, the engines side by side in the value column. */
function rowsOf(r: Record<string, any>, engines: EngineName[]): Row[] {
  const short = (e: string) => (e === 'chromium-no-chrome-wide-aec' ? 'chromium w/o CWEC' : e);
  const each = (fn: (x: Record<string, any>) => string) => engines.map((e) => `${short(e)} ${r[e]?.error && !fnSafe(fn, r[e]) ? 'failed' : fnSafe(fn, r[e]) ?? 'n/a'}`).join(' | ');
  const rows: Row[] = [];
  rows.push(['AudioContext rate / output latency (engine) / getOutputTimestamp scale', each((x) => `${x.clocks.rate} Hz, ${f1(x.clocks.outputLatencyMs)} ms, ×${x.clocks.outputTimestampScale.toFixed(2)}`), 'ctx.sampleRate, ctx.outputLatency, Δ contextTime / Δ performanceTime of getOutputTimestamp over 2 s (1.00 = a usable output clock)']);
  rows.push(['mic sample → chunk posted (median)', each((x) => `${f1(x.capture.medianMs)} ms`), 'the shipped capture worklet: a step at a random frame → the quantum that posts its chunk, 20 runs']);
  rows.push(['echo attenuation at the mic, Web Audio output (median / p10)', each((x) => `${f1(x.echoDirect.attenuationMedianDb)} / ${f1(x.echoDirect.attenuationP10Db)} dB`), `agent voice (~12 s) through Playback into the room at 0 dB; track with echoCancellation vs one without, same run, 250 ms windows where the echo is above -40 dBFS`]);
  rows.push(['echo attenuation at the mic, WebRTC route (median / p10)', each((x) => (x.echoWebrtc ? `${f1(x.echoWebrtc.attenuationMedianDb)} / ${f1(x.echoWebrtc.attenuationP10Db)} dB` : 'no WebRTC')), 'the same through the loopback RTCPeerConnection → <audio> route (src/audio/webrtc-route.ts)']);
  rows.push(['output latency the WebRTC route adds', each((x) => (x.routeCost ? `+${f0(x.routeCost.addedMs)} ms (${f0(x.routeCost.directMs)} → ${f0(x.routeCost.webrtcMs)} ms)` : 'no WebRTC')), 'loudspeaker → mic lag of 40 ms bursts played by Playback on each route (track without echo cancellation), median of 6; the difference is the route']);
  rows.push(['self-interruptions per 10 replies (as shipped)', each((x) => `${f1((x.conversation.selfInterruptions * 10) / Math.max(1, x.conversation.responses))} (${x.conversation.selfInterruptions} in ${x.conversation.responses} replies; ${x.conversation.peerConnections ? 'WebRTC route' : 'Web Audio output'}, guard ${x.conversation.guard?.state ?? '?'})`), `speech_started that no user voice explains, in ${CYCLES} × (3 prompts answered by ~4 s replies, a long reply the user talks over) with the loudspeaker into the mic`]);
  rows.push(['barge-in: interruption voice → speech_started (median / max; missed)', each((x) => `${f0(median(x.conversation.bargeDetectMs))} / ${f0(Math.max(...x.conversation.bargeDetectMs))} ms; ${x.conversation.missedBargeIns} missed of ${x.conversation.bargeDetectMs.length + x.conversation.missedBargeIns}`), 'the cost side of the echo guard: the user talking over a long reply 2.5 s in (after the verdict) → the simulator\'s speech_started at the socket; includes the room and the turn detector']);
  rows.push(['echo guard: first verdict after the first reply is audible', each((x) => `${f1(x.conversation.verdictS)} s (${(x.conversation.verdicts ?? []).join(' → ') || 'no reports'})`), 'until the verdict the guard gates the mic unless the user is much louder than the agent; verdict changes with their render-clock times']);
  rows.push(['first reply delta → audible (median / p95)', each((x) => `${f1(median(x.conversation.deltaToRenderedMs) + (Number.isFinite(x.conversation.outputLatencyMs) ? x.conversation.outputLatencyMs : 0))} / ${f1(p95(x.conversation.deltaToRenderedMs) + (Number.isFinite(x.conversation.outputLatencyMs) ? x.conversation.outputLatencyMs : 0))} ms`), 'socket arrival (ctx.currentTime) → its first sample rendered at the output tap, minus the delta\'s leading silence, plus the engine-reported output latency (0 where not reported)']);
  rows.push(['barge-in: speech_started → silence at the output (median / max)', each((x) => `${f1(median(x.conversation.bargeToSilenceMs))} / ${f1(Math.max(...x.conversation.bargeToSilenceMs))} ms (n=${x.conversation.bargeToSilenceMs.length})`), 'socket arrival (render clock) → last sample of the interrupted reply at the output tap (the output latency shifts both alike)']);
  rows.push(['underruns / lost mic chunks / tap quanta missed', each((x) => `${x.conversation.debugStats?.playback?.underruns ?? '?'} / ${x.conversation.debugStats?.mic?.lost ?? '?'} / ${x.conversation.missedQuanta}`), 'element.debugStats and the output tap during the conversation']);
  return rows;
}

function fnSafe(fn: (x: Record<string, any>) => string, x: Record<string, any> | undefined): string | undefined {
  if (!x) return undefined;
  try {
    return fn(x);
  } catch {
    return undefined;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { rows, figures } = await runEnginesBench();
  for (const r of rows) console.log(`${r[0]}\n    ${r[1]}\n    (${r[2]})`);
  if (process.argv.includes('--json')) console.log(JSON.stringify(figures, null, 2));
  process.exit(0);
}
