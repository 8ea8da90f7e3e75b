// Soak (issue 6, item 6): a long simulated conversation in headless Chromium — the built
// dist/hydra-voice.js on demo/index.html, the fake mic asking a question every ~6.5 s
// (looped), token endpoint → relay → simulator (test/support/conversation-driver.ts).
// Every 3 turns: a short reply, a tool call answered by page code, a long reply that the
// next question barges into. Then it checks behaviour, never timing:
//   - JS heap after a full GC (CDP HeapProfiler.collectGarbage + Runtime.getHeapUsage):
//     late − early within HEAP_BOUND;
//   - audio nodes alive (page instrumentation: every create*/constructor, FinalizationRegistry),
//     JS event listeners and DOM nodes (CDP Memory.getDOMCounters): late − early within bounds;
//   - no output gaps the client caused (verdict.ts): the output is recorded on the render
//     clock (test/support/quantum-tap.ts), every reply chunk is traced simulator → worker
//     socket → post to the playback worklet, and each underrun inside a reply is judged by
//     where the missing audio was when the worklet ran dry. A simulator stall (this Node
//     process starved: its event-loop lag is printed) and a browser starved by the OS
//     (worker heartbeat late, render quanta skipped) are printed and excluded; a stall in the
//     engine or in the delivery to the worklet, a silence no underrun explains, or a
//     completed reply heard longer than received fails it;
//   - no dropped input: capture sequence without holes (mic.lost 0, no rebuild) and no
//     chunk dropped by the session after `session.configured` (element.debugStats).
//
// HV_SOAK_DUMP=file.json saves what the verdict judged (re-judge it with judgeReplies).
// Duration: HV_SOAK_SECONDS (default 120 inside `npm test`); the full soak is 1200:
//   HV_SOAK_SECONDS=1200 node --import tsx --test test/node/soak/soak.test.ts
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { analyzeResponses, openConversation, type HeapSample } from '../../support/conversation-driver.ts';
import { judgeReplies, type Lag } from './verdict.ts';

const SECONDS = Number(process.env.HV_SOAK_SECONDS ?? 120);
/** Early sample after the first few turns (code paths warmed up, caches filled). */
const EARLY_S = Math.min(40, SECONDS / 3);
const HEAP_BOUND = 1024 * 1024;
const LISTENER_BOUND = 5;
const DOM_NODE_BOUND = 20;
const AUDIO_NODE_BOUND = 2;

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(2)} MB`;
const line = (s: HeapSample, at: number) =>
  `  t=${at.toFixed(0).padStart(5)} s heap ${mb(s.heapUsedBytes)}, listeners ${s.jsEventListeners}, DOM nodes ${s.domNodes}, audio nodes alive ${s.audioNodesAlive} (created ${s.audioNodesCreated}), contexts ${s.audioContexts}`;

test(`soak: ${SECONDS} s of conversation (turns, barge-ins, tool calls) without growth, gaps or drops`, { timeout: (SECONDS + 180) * 1000 }, async () => {
  const c = await openConversation({ log: (l) => console.log(l), workletTap: true });
  // This process's event loop (the simulator's and the relay's): when it runs late, so do the reply streams.
  const nodeLags: Lag[] = [];
  let beat = performance.now();
  const heartbeat = setInterval(() => {
    const now = performance.now();
    if (now - beat > 60) nodeLags.push({ at: performance.timeOrigin + now, ms: now - beat - 20 });
    beat = now;
  }, 20);
  try {
    const t0 = Date.now();
    const at = () => (Date.now() - t0) / 1000;
    const { droppedAtConfigured } = await c.start();
    await c.run(EARLY_S * 1000);
    const early = await c.heapSample();
    const samples: [number, HeapSample][] = [[at(), early]];
    console.log(line(early, at()));
    let nextSample = at() + 120;
    await c.run((SECONDS - EARLY_S) * 1000, async () => {
      if (at() < nextSample) return;
      nextSample += 120;
      const s = await c.heapSample();
      samples.push([at(), s]);
      console.log(line(s, at()));
    });
    const late = await c.heapSample();
    samples.push([at(), late]);
    console.log(line(late, at()));
    const stats = await c.debugStats();
    const toolAnswers = await c.toolCallsAnswered();
    await c.drain();

    const responses = analyzeResponses(c.collected, c.tapOffsetS);
    // HV_SOAK_DUMP=file.json keeps what the verdict saw, to study a failure offline.
    if (process.env.HV_SOAK_DUMP) writeFileSync(process.env.HV_SOAK_DUMP, JSON.stringify({ collected: c.collected, simulatorSends: c.simulatorSends, nodeLags }));
    const verdicts = judgeReplies(c.collected, c.simulatorSends, nodeLags);
    const findings = verdicts.flatMap((v) => v.findings);
    const clientGaps = findings.filter((f) => f.cause === 'client');
    const bargeIns = verdicts.filter((r) => r.bargedIn);
    const completed = verdicts.filter((r) => r.extraMs !== undefined);
    const skippedQuanta = verdicts.reduce((n, v) => n + v.skippedQuanta, 0);
    console.log(
      `  ${c.turns.length} turns, ${responses.length} replies (${completed.length} completed and checked end to end, ${bargeIns.length} barged in), ` +
        `${toolAnswers} tool calls answered, ${c.collected.sent['response.create'] ?? 0} response.create; ` +
        `mic ${JSON.stringify(stats?.mic)}, playback ${JSON.stringify(stats?.playback)} (underruns after a reply's end ${responses.reduce((n, r) => n + r.underrunsAfter, 0)}), dropped after configured ${(stats?.droppedAudioChunks ?? NaN) - droppedAtConfigured}; ` +
        `long tasks ${c.collected.longTasks.filter((t) => t.duration > 50).length}`,
    );
    console.log(
      `  output on the render clock: ${c.collected.quanta.frames.length} quanta recorded, ${skippedQuanta} skipped by the renderer inside replies (OS load: holes, not silence); ` +
        `worker event loop late > 40 ms ${c.collected.chunks.workerLags.length} times (max ${Math.max(0, ...c.collected.chunks.workerLags.map((l) => l.ms)).toFixed(0)} ms), ` +
        `this process's ${nodeLags.length} times (max ${Math.max(0, ...nodeLags.map((l) => l.ms)).toFixed(0)} ms); chunks sent ${c.simulatorSends.length}, at the worker ${c.collected.chunks.arrivals.length}, posted to the worklet ${c.collected.chunks.posts.length}`,
    );
    for (const f of findings) {
      const label = f.cause === 'client' ? 'CLIENT GAP' : f.cause === 'source' ? 'excluded (simulator stalled)' : 'excluded (browser starved by the OS)';
      console.log(`  ${label}: ${f.kind} in ${f.responseId}, ${f.ms.toFixed(0)} ms: ${f.why}`);
    }
    // The main-thread ScriptProcessor tap's reading, for comparison only (it loses blocks when the page is busy).
    for (const g of responses.filter((r) => r.gap)) console.log(`  (main-thread tap, not judged: ${JSON.stringify(g)})`);

    // It really was a conversation of the planned shape.
    assert.equal(c.collected.errors.length, 0, `hydra-error events: ${JSON.stringify(c.collected.errors)}`);
    assert.ok(stats, 'the conversation is still running');
    assert.notEqual(stats.sessionState, 'error');
    const expectedTurns = Math.floor(SECONDS / 6.5);
    assert.ok(c.turns.length >= expectedTurns * 0.6, `${c.turns.length} turns; expected about ${expectedTurns}`);
    assert.ok(bargeIns.length >= Math.floor(expectedTurns / 6), `${bargeIns.length} barge-ins`);
    assert.ok(toolAnswers >= Math.floor(expectedTurns / 6), `${toolAnswers} tool calls answered`);
    assert.ok(completed.length >= Math.floor(expectedTurns / 6), `${completed.length} completed replies checked`);

    // No growth.
    assert.ok(late.heapUsedBytes - early.heapUsedBytes <= HEAP_BOUND, `JS heap grew ${mb(late.heapUsedBytes - early.heapUsedBytes)} (bound ${mb(HEAP_BOUND)})`);
    assert.ok(late.jsEventListeners - early.jsEventListeners <= LISTENER_BOUND, `listeners ${early.jsEventListeners} → ${late.jsEventListeners}`);
    assert.ok(late.domNodes - early.domNodes <= DOM_NODE_BOUND, `DOM nodes ${early.domNodes} → ${late.domNodes}`);
    assert.ok(late.audioNodesAlive - early.audioNodesAlive <= AUDIO_NODE_BOUND, `audio nodes alive ${early.audioNodesAlive} → ${late.audioNodesAlive}: ${JSON.stringify(late.audioNodesByType)}`);
    assert.equal(late.audioContexts, 1, 'one AudioContext for the whole conversation');

    // No output gaps the client caused (verdict.ts: underruns and silences inside replies,
    // each traced to where the audio was; a simulator stall or an OS-starved browser is
    // printed above and excluded). An underrun after a reply's last sample is not inside it.
    assert.ok(c.collected.quanta.frames.length > SECONDS * 300, 'the render-clock tap recorded the conversation');
    assert.ok(c.simulatorSends.length > 0 && c.collected.chunks.posts.length > 0, 'reply chunks were traced from the simulator to the worklet');
    assert.equal(clientGaps.length, 0, `${clientGaps.length} client gaps at the output: ${clientGaps.map((f) => `${f.kind} in ${f.responseId}: ${f.why}`).join(' | ')}`);

    // No dropped input.
    assert.equal(stats.mic.lost, 0, 'capture chunks lost between the worklet and the main thread');
    assert.equal(stats.mic.rebuilds, 0, 'capture graph rebuilds');
    assert.equal(stats.droppedAudioChunks - droppedAtConfigured, 0, 'mic chunks dropped by the session after session.configured');
    assert.ok(stats.mic.chunks >= (SECONDS - 5) * 50 * 0.95, `${stats.mic.chunks} chunks captured in ${SECONDS} s (50/s expected)`);
    assert.ok((c.collected.sent['input_audio_buffer.append'] ?? 0) >= stats.mic.chunks - droppedAtConfigured, 'every captured chunk after configure was sent');
  } finally {
    clearInterval(heartbeat);
    await c.close();
  }
});
