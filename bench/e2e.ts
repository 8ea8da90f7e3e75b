// End-to-end figures in headless Chromium: the built dist/hydra-voice.js on demo/index.html,
// Chromium's fake mic (a question every ~6.5 s), the token endpoint, the relay and the
// simulator of src/server/dev-server.ts in this process (test/support/conversation-driver.ts).
// The simulator answers by a fixed plan (short reply / tool call / long reply that the next
// question barges into). Figures, not assertions: the machine is shared and noisy.
// Run alone: `node --import tsx bench/e2e.ts [--json]` (HV_E2E_SECONDS, default 60).
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  analyzeResponses,
  analyzeVoiceToVoice,
  median,
  openConversation,
  quantile,
} from '../test/support/conversation-driver.ts';

type Row = [figure: string, value: string, how: string];

const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
const p95 = (xs: number[]) => quantile(xs, 0.95);
const mp = (xs: number[]) => `${f1(median(xs))} / ${f1(p95(xs))} ms (n=${xs.length})`;

/**
 * A conversation with no tap or socket instrumentation: the page's own main-thread time.
 * `setup` (page script) runs before the call starts, e.g. to choose a layout (bench/ui.ts).
 */
export async function measureMainThread(seconds: number, setup = '') {
  const c = await openConversation({ light: true, log: (l) => console.error(l) });
  try {
    if (setup) await c.page.evaluate(setup);
    await c.start();
    await c.run(3000);
    const before = await c.mainThread();
    const longBefore = c.collected.longTasks.length;
    const t0 = Date.now();
    await c.run(seconds * 1000);
    const after = await c.mainThread();
    const minutes = (Date.now() - t0) / 60_000;
    return {
      seconds,
      taskMsPerMinute: (after.taskMs - before.taskMs) / minutes,
      scriptMsPerMinute: (after.scriptMs - before.scriptMs) / minutes,
      longTasks: c.collected.longTasks.slice(longBefore).filter((t) => t.duration > 50),
      turns: c.turns.length,
    };
  } finally {
    await c.close();
  }
}

/** Runs the end-to-end benchmark; returns table rows and the raw figures. */
export async function runE2eBench(seconds = Number(process.env.HV_E2E_SECONDS ?? 60)): Promise<{ rows: Row[]; figures: Record<string, any> }> {
  const c = await openConversation({ log: (l) => console.error(l) });
  try {
    const capture = await c.page.evaluate(() => window.__conv.captureLatency('/dist/hydra-voice-worklets.js', 20));
    const { droppedAtConfigured } = await c.start();
    // Measure main-thread time from the first turn on (the connection setup is not "conversation").
    await c.run(3000);
    const overheadBefore = c.collected.overheadMs;
    const before = await c.mainThread();
    const t0 = Date.now();
    await c.run(seconds * 1000);
    const after = await c.mainThread();
    const minutes = (Date.now() - t0) / 60_000;
    const overheadMs = c.collected.overheadMs - overheadBefore;
    const stats = await c.debugStats();
    const toolAnswers = await c.toolCallsAnswered();

    const responses = analyzeResponses(c.collected, c.tapOffsetS);
    const deltaToHeard = responses.map((r) => r.deltaToOutputMs).filter((x): x is number => x !== undefined);
    const barge = responses.filter((r) => r.bargedIn).map((r) => r.bargeToSilenceMs).filter((x): x is number => x !== undefined);
    const handoff = c.collected.handoffMs;
    const micToSocket = median(capture.ms) + median(handoff);
    const micToSocketP95 = p95(capture.ms) + p95(handoff);
    const v2v = analyzeVoiceToVoice(c.collected, c.timings, responses);
    const total = v2v.map((v) => micToSocket + v.socketToHeardMs);
    const endOfTurn = v2v.map((v) => v.endOfTurnMs);
    const sim = v2v.map((v) => v.simulatorMs);
    const serverShare = v2v.map((v) => v.endOfTurnMs + v.simulatorMs);
    const clientShare = v2v.map((v) => micToSocket + v.deltaToHeardMs);
    const transport = v2v.map((v, i) => total[i]! - serverShare[i]! - clientShare[i]!);
    const ev = c.collected.events;
    const toolToCreate = ev
      .filter((e) => e.type === 'sent:response.create')
      .map((e) => e.perf - (ev.filter((x) => x.type === 'sent:conversation.item.create' && x.perf <= e.perf).at(-1)?.perf ?? NaN))
      .filter(Number.isFinite);
    const light = await measureMainThread(Number(process.env.HV_E2E_LIGHT_SECONDS ?? 30));
    const taskMs = after.taskMs - before.taskMs;
    const scriptMs = after.scriptMs - before.scriptMs;
    const longTasks = c.collected.longTasks.filter((t) => t.duration > 50);
    const gaps = responses.filter((r) => r.gap).length;

    const figures = {
      seconds,
      loadAvg: loadavg()[0],
      cpus: cpus().length,
      sampleRate: c.collected.sampleRate,
      tapOffsetMs: c.tapOffsetS * 1000,
      turns: c.turns.length,
      responses: responses.length,
      captureInWorkletMs: capture.ms,
      handoffMedianMs: median(handoff),
      handoffP95Ms: p95(handoff),
      micToSocketMedianMs: micToSocket,
      micToSocketP95Ms: micToSocketP95,
      deltaToHeardMs: deltaToHeard,
      bargeToSilenceMs: barge,
      voiceToVoice: v2v.map((v, i) => ({ ...v, totalMs: total[i], micToSocketMs: micToSocket })),
      toolOutputToResponseCreateMs: toolToCreate,
      mainThread: light,
      mainThreadInstrumented: { taskMsPerMinute: taskMs / minutes, scriptMsPerMinute: scriptMs / minutes, instrumentationMsPerMinute: overheadMs / minutes },
      longTasks,
      gaps,
      gapDetails: responses.filter((r) => r.gap),
      debugStats: stats,
      droppedAtConfigured,
      toolAnswers,
      errors: c.collected.errors,
    };
    const rows: Row[] = [
      ['mic sample → chunk on the socket', `${f1(micToSocket)} ms (p95 ${f1(micToSocketP95)})`, `shipped capture worklet: step at a random frame → posting quantum, median ${f1(median(capture.ms))} ms p95 ${f1(p95(capture.ms))} (20 runs; chunk fill + filter lookahead) + post → ws.send in the conversation, ctx.currentTime − chunk frame, median ${f1(median(handoff))} p95 ${f1(p95(handoff))} ms over ${handoff.length} chunks (granularity: callback buffer)`],
      ['first reply delta on the socket → audio at the output (median / p95)', mp(deltaToHeard), `WebSocket onmessage wrapped in the page; arrival placed on the output clock with getOutputTimestamp(); first audible block at the destination (output tap, calibrated ${f1(c.tapOffsetS * 1000)} ms) minus the delta's leading silence`],
      ['barge-in: speech_started on the socket → silence at the output', mp(barge), 'same clocks; first tap block after arrival from which the output stays silent until the next reply (the controller flushes on turn-start)'],
      ['voice-to-voice: end of speech → first reply audio (median / p95)', mp(total), `mic→socket (median) + end-of-speech chunk on the socket (the append holding audio_end_ms) → first audible reply sample at the output; turns answered by speech only`],
      ['  simulator\'s share', mp(serverShare), `end-of-turn detection: that chunk on the socket → speech_stopped arrives, median ${f1(median(endOfTurn))} ms (vad.endOfTurnSilenceMs 500 + relay) + speech_stopped → first delta from onTiming, median ${f1(median(sim))} ms (replyLatencyMs 600)`],
      ['  client\'s share', mp(clientShare), 'mic → socket + first delta → heard'],
      ['  transport (rest)', mp(transport), 'total − shares: relay/loopback hops of the delta, clock mapping error'],
      ['tool output → response.create', mp(toolToCreate), 'sent:conversation.item.create → sent:response.create (the session debounces one response.create per batch)'],
      ['main thread per minute of conversation', `${f1(light.taskMsPerMinute)} ms/min`, `CDP Performance.getMetrics TaskDuration delta (thread ticks, all main-thread tasks incl. style/commit), ${light.seconds} s of a second, uninstrumented conversation (no tap, no wrappers); script ${f1(light.scriptMsPerMinute)} ms/min. Instrumented run: ${f1(taskMs / minutes)} ms/min of which timed instrumentation ${f1(overheadMs / minutes)}; load avg ${loadavg()[0]!.toFixed(1)} on ${cpus().length} CPUs`],
      ['long tasks observed', `${light.longTasks.length}${light.longTasks.length ? ` (max ${f1(Math.max(...light.longTasks.map((t) => t.duration)))} ms)` : ''} in ${light.seconds} s; ${longTasks.length} in the instrumented ${seconds} s`, 'PerformanceObserver longtask (>50 ms) from the first turn on; instrumented count includes the start'],
      ['turns / responses / barge-ins / tool calls', `${c.turns.length} / ${responses.length} / ${barge.length} / ${toolAnswers}`, 'simulator onTurn / first deltas / cancelled by speech_started / answered by page code'],
      ['output gaps, underruns, lost or dropped chunks', `${gaps}, ${stats?.playback.underruns ?? '?'} (${responses.reduce((n, r) => n + r.underrunsAfter, 0)} after a reply's end), ${stats?.mic.lost ?? '?'}, ${(stats?.droppedAudioChunks ?? NaN) - droppedAtConfigured}`, 'replies with tap silence beyond the source\'s own pauses or an underrun inside; playback worklet underruns; capture sequence holes; session drops after configured (element.debugStats)'],
    ];
    return { rows, figures };
  } finally {
    await c.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { rows, figures } = await runE2eBench();
  const widths = [0, 1].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log(r.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c)).join('  ').trimEnd());
  if (process.argv.includes('--json')) console.log(JSON.stringify(figures, null, 2));
  process.exit(0);
}
