// Soak (issue 6, item 6): a long simulated conversation in headless Chromium — the built
// dist/hydra-voice.js on demo/index.html, the fake mic asking a question every ~6.5 s
// (looped), token endpoint → relay → simulator (test/support/conversation-driver.ts).
// Every 3 turns: a short reply, a tool call answered by page code, a long reply that the
// next question barges into. Then it checks behaviour, never timing:
//   - JS heap after a full GC (CDP HeapProfiler.collectGarbage + Runtime.getHeapUsage):
//     late − early within HEAP_BOUND;
//   - audio nodes alive (page instrumentation: every create*/constructor, FinalizationRegistry),
//     JS event listeners and DOM nodes (CDP Memory.getDOMCounters): late − early within bounds;
//   - no output gaps: inside each reply, the output (tap) is never silent longer than the
//     reply's own pauses, a completed reply lasts as long as the audio received, and the
//     playback worklet reported no underrun before the reply's last audible sample (barge-in
//     flushes are excluded by construction);
//   - no dropped input: capture sequence without holes (mic.lost 0, no rebuild) and no
//     chunk dropped by the session after `session.configured` (element.debugStats).
//
// Duration: HV_SOAK_SECONDS (default 120 inside `npm test`); the full soak is 1200:
//   HV_SOAK_SECONDS=1200 node --import tsx --test test/node/soak/soak.test.ts
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeResponses, openConversation, type HeapSample } from '../../support/conversation-driver.ts';

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
  const c = await openConversation({ log: (l) => console.log(l) });
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
    const gaps = responses.filter((r) => r.gap);
    const bargeIns = responses.filter((r) => r.bargedIn);
    const completed = responses.filter((r) => r.extraMs !== undefined);
    console.log(
      `  ${c.turns.length} turns, ${responses.length} replies (${completed.length} completed and checked end to end, ${bargeIns.length} barged in), ` +
        `${toolAnswers} tool calls answered, ${c.collected.sent['response.create'] ?? 0} response.create; ` +
        `mic ${JSON.stringify(stats?.mic)}, playback ${JSON.stringify(stats?.playback)} (underruns after a reply's end ${responses.reduce((n, r) => n + r.underrunsAfter, 0)}), dropped after configured ${(stats?.droppedAudioChunks ?? NaN) - droppedAtConfigured}; ` +
        `long tasks ${c.collected.longTasks.filter((t) => t.duration > 50).length}`,
    );
    for (const g of gaps) {
      // Main-thread stalls around the reply (socket delivery and the worklet feed share the main thread).
      const near = c.collected.longTasks.filter((t) => t.start > (g.firstDeltaPerf ?? 0) - 1000 && t.start < (g.firstDeltaPerf ?? 0) + 15_000);
      console.log(`  gap: ${JSON.stringify(g)}; long tasks near it: ${near.map((t) => `${t.duration.toFixed(0)} ms at +${(t.start - (g.firstDeltaPerf ?? 0)).toFixed(0)}`).join(', ') || 'none'}`);
    }

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

    // No output gaps.
    assert.equal(gaps.length, 0, `${gaps.length} replies with a gap at the output`);
    // Underruns inside a reply are gaps (counted above); one after a reply's last sample only
    // means its end-of-stream frame came after the audio ran out, which nobody hears.
    const inside = responses.reduce((n, r) => n + r.underrunsInside, 0);
    const after = responses.reduce((n, r) => n + r.underrunsAfter, 0);
    assert.equal(inside, 0, `playback underruns inside replies (worklet total ${stats.playback.underruns}, ${after} after a reply's end)`);

    // No dropped input.
    assert.equal(stats.mic.lost, 0, 'capture chunks lost between the worklet and the main thread');
    assert.equal(stats.mic.rebuilds, 0, 'capture graph rebuilds');
    assert.equal(stats.droppedAudioChunks - droppedAtConfigured, 0, 'mic chunks dropped by the session after session.configured');
    assert.ok(stats.mic.chunks >= (SECONDS - 5) * 50 * 0.95, `${stats.mic.chunks} chunks captured in ${SECONDS} s (50/s expected)`);
    assert.ok((c.collected.sent['input_audio_buffer.append'] ?? 0) >= stats.mic.chunks - droppedAtConfigured, 'every captured chunk after configure was sent');
  } finally {
    await c.close();
  }
});
