// The soak's gap verdict on made-up timelines: each cause is found where it is, and a
// client stall is never excused (the soak itself only shows this on a bad day).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Collected, SimulatorSend } from '../../support/conversation-driver.ts';
import { judgeReplies, locateStall } from './verdict.ts';

const CHUNK = 1920; // 40 ms at 48 kHz

/** A reply streamed 200 ms ahead from t=0: chunk k sent at max(0, 40k − 200) (+ `pause` from chunk `from` on). */
function sends(count: number, pause = 0, from = Infinity): { n: number; at: number }[] {
  return Array.from({ length: count }, (_, k) => ({ n: CHUNK, at: Math.max(0, 40 * k - 200) + (k >= from ? pause : 0) }));
}
/** Samples posted at or before `at` (what a worklet that received everything had played). */
const postedBy = (xs: { n: number; at: number }[], at: number) => xs.filter((x) => x.at <= at).reduce((n, x) => n + x.n, 0);
const shift = (xs: { n: number; at: number }[], ms: number, only?: (k: number) => boolean) =>
  xs.map((x, k) => ({ n: x.n, at: only && !only(k) ? x.at + 1 : x.at + ms }));

test('locateStall: the simulator paused (everything it sent had reached the worklet)', () => {
  const s = sends(100, 600, 30); // chunk 30 due at 1000 on the playback clock, sent at 1600
  const posted = shift(s, 3);
  const stall = locateStall(1250, s, shift(s, 2), posted, postedBy(posted, 1250));
  assert.equal(stall.stage, 'source', stall.why);
});

test('locateStall: the engine held a chunk it had received', () => {
  const s = sends(100);
  const arrived = shift(s, 2);
  const posted = arrived.map((a, k) => ({ n: a.n, at: k >= 30 ? Math.max(a.at + 1, 1400) : a.at + 1 }));
  const stall = locateStall(1250, s, arrived, posted, postedBy(posted, 1250));
  assert.equal(stall.stage, 'engine', stall.why);
});

test('locateStall: a chunk posted to the worklet but not delivered', () => {
  const s = sends(100);
  const arrived = shift(s, 2);
  const posted = shift(s, 3);
  // The worklet ran dry 20 ms after the last 40 ms chunk was posted: it had not received it.
  const stall = locateStall(posted[40]!.at + 20, s, arrived, posted, postedBy(posted, posted[39]!.at));
  assert.equal(stall.stage, 'worklet-delivery', stall.why);
});

test('locateStall: the worklet had not received 200 ms of audio posted in time', () => {
  const s = sends(100);
  const posted = shift(s, 3);
  // Posted up to 1450 (200 ms ahead), but the worklet ran dry at 1250 having played only 1250 ms.
  const stall = locateStall(1250, s, shift(s, 2), posted, 1250 * 48);
  assert.equal(stall.stage, 'worklet-delivery', stall.why);
  // The same amounts with the worklet's playing matching what was posted: the simulator paused.
  const paused = sends(100, 600, 30);
  const p2 = shift(paused, 3);
  assert.equal(locateStall(1250, paused, shift(paused, 2), p2, postedBy(p2, 1250)).stage, 'source');
});

test('locateStall: sent in time, stuck before the worker', () => {
  const s = sends(100);
  const arrived = s.map((x, k) => ({ n: x.n, at: k >= 30 ? Math.max(x.at + 2, 1400) : x.at + 2 }));
  const posted = shift(arrived, 1);
  const stall = locateStall(1250, s, arrived, posted, postedBy(posted, 1250));
  assert.equal(stall.stage, 'transit', stall.why);
  assert.ok(1250 - stall.since > 100, 'stuck since long before the underrun');
});

/** A minimal conversation: one completed reply of `samples` at 48 kHz, output quanta given. */
function conversation(peaks: number[], framesOf: (i: number) => number, underrunFrames: number[], samples: number): { c: Collected; s: SimulatorSend[] } {
  const events: Collected['events'] = [
    { type: 'first-delta', perf: 0, responseId: 'r1' },
    { type: 'started', perf: 1, responseId: 'r1', frame: framesOf(0) },
    ...underrunFrames.map((f) => ({ type: 'underrun', perf: 1 + (f - framesOf(0)) / 48, responseId: 'r1', frame: f })),
    { type: 'response.done', perf: 1 + (peaks.length * 128) / 48, responseId: 'r1', status: 'completed' },
  ];
  const c: Collected = {
    events,
    blocks: [],
    responses: [{ responseId: 'r1', samples, lead: 0, trail: 0, deltas: samples / CHUNK, longestZeroRun: 0, zeroRun: 0, pendingZeroRun: 0 }],
    handoffMs: [],
    longTasks: [],
    sent: {},
    overheadMs: 0,
    sampleRate: 48_000,
    errors: [],
    timeOrigin: 0,
    chunks: { arrivals: [], posts: [], workerLags: [] },
    quanta: { frames: peaks.map((_, i) => framesOf(i)), peaks },
  };
  return { c, s: [] };
}

test('judgeReplies: a silent run with no underrun is a client gap; skipped quanta are not silence', () => {
  const n = 375; // 1 s of quanta
  const audible = Array.from({ length: n }, () => 0.5);
  // Skipped quanta: frames jump by 20 quanta in the middle, the reply is otherwise whole.
  const skipped = conversation(audible, (i) => 128_000 + i * 128 + (i >= 200 ? 20 * 128 : 0), [], n * 128);
  const [ok] = judgeReplies(skipped.c, skipped.s, []);
  assert.equal(ok!.skippedQuanta, 20);
  assert.deepEqual(ok!.findings, []);
  assert.ok(Math.abs(ok!.extraMs!) < 1, `extra ${ok!.extraMs} ms`);

  // 20 quanta of zeros inside the reply, no underrun: the output went silent on its own.
  const holed = audible.map((p, i) => (i >= 200 && i < 220 ? 0 : p));
  const silent = conversation(holed, (i) => 128_000 + i * 128, [], n * 128);
  const [bad] = judgeReplies(silent.c, silent.s, []);
  assert.deepEqual(bad!.findings.map((f) => [f.kind, f.cause]), [['silence', 'client']]);
});

test('judgeReplies: an underrun is judged by where the audio was, its silence not counted twice', () => {
  const n = 375;
  const peaks = Array.from({ length: n }, (_, i) => (i >= 200 && i < 220 ? 0 : 0.5));
  const conv = conversation(peaks, (i) => 128_000 + i * 128, [128_000 + 200 * 128], 355 * 128);
  // Sent 200 ms ahead, and posted to the worklet on time up to the underrun, except one chunk the engine held.
  const underrunAt = 1 + (200 * 128) / 48;
  const s = sends(30).map((x) => ({ id: 'r1', n: x.n, at: x.at }));
  conv.c.chunks.arrivals = s.map((x) => ({ id: 'r1', n: x.n, t: x.at + 2 }));
  conv.c.chunks.posts = s.map((x, k) => ({ id: 'r1', n: x.n, t: k >= 14 ? underrunAt + 200 : x.at + 3 }));
  const [v] = judgeReplies(conv.c, s, []);
  assert.deepEqual(v!.findings.map((f) => [f.kind, f.cause]), [['underrun', 'client']], JSON.stringify(v!.findings));
  assert.match(v!.findings[0]!.why, /not yet posted/);
  // The worker's event loop stalled over that time, nothing else: the engine's own work, a client gap.
  conv.c.chunks.workerLags = [{ t: underrunAt, ms: 900 }];
  const [blocked] = judgeReplies(conv.c, s, []);
  assert.deepEqual(blocked!.findings.map((f) => f.cause), ['client']);
  // ... and this process stalled too: the OS starved the machine.
  const [starved] = judgeReplies(conv.c, s, [{ at: underrunAt, ms: 300 }]);
  assert.deepEqual(starved!.findings.map((f) => f.cause), ['starved']);
});
