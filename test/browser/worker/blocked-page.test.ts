// A host page that blocks its own main thread (250 ms every 750 ms, then one 1000 ms
// freeze) during a long reply and continuous mic streaming. With the engine in a worker:
// no gap in the reply (the playback worklet never ran dry, the output tap hears one
// unbroken tone exactly as long as the one sent) and no mic audio lost (no hole in the
// capture sequence, nothing dropped, every chunk sent). The server streams the reply in
// real time, 600 ms ahead (room for a loaded test server): a page blocked for 1000 ms still
// starves a main-thread transport.
// Barge-in too: the user talks over the reply while the page is frozen, and the reply stops
// before the freeze ends (the flush is decided where the frame arrives).
// Behaviour, not timing: nothing here waits on or bounds a duration of the client.
import { expect } from '@open-wc/testing';
import { installWorkletTap, soundSpan, type WorkletTap } from '../e2e/helpers.ts';
import type { Puppet } from '../../support/puppet.ts';
import { connect, openPage, puppetAndPage, sv, toneDelta } from './helpers.ts';
import { itExcept } from '../support/engine.ts';

/**
 * Firefox ESR and WebKitGTK (measured here): the reply's chunks reach the playback worklet
 * only when the page's main thread runs, although socket, codec and routing are in the
 * worker (likely: these engines service a worker's WebSocket through the page's main
 * thread; which leg waits was not isolated). Firefox:
 * a 1 s freeze with the server 600 ms ahead underruns once, every run; WebKitGTK: 2
 * underruns, and a barge-in during a 2 s freeze cut the reply 0.2 s after the freeze ended.
 * No page-side fix (the socket must live in some thread of the page); README: browser support.
 */
const MAIN_THREAD_SOCKET = {
  firefox: "Firefox delivers a worker's WebSocket messages through the page's main thread: none arrive while it is frozen (probe: 0 messages in a 1 s freeze, gap 1020 ms); measured here: 1 underrun per 1 s freeze",
  webkit: "WebKitGTK delivers a worker's WebSocket messages, and its posts to an AudioWorklet port, through the page's main thread (probe: 0 socket messages in a 1 s freeze, port gap 998 ms); measured here: 2 underruns, barge-in cut 0.2 s after a 2 s freeze",
};

const REPLY_CHUNKS = 300; // 6 s of 20 ms deltas
const SOUND = 0.01;

/** Busy-waits on this (the page's) main thread. */
function block(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // the host page's long task
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves once `cond` holds (checked every 10 ms); fails after `timeoutMs` saying what it waited for. */
function until(what: string, cond: () => boolean, detail: () => string = () => '', timeoutMs = 20_000): Promise<void> {
  const end = performance.now() + timeoutMs;
  return new Promise<void>((resolve, reject) => {
    const check = () => {
      if (cond()) resolve();
      else if (performance.now() > end) reject(new Error(`waited ${timeoutMs} ms for ${what} ${detail()}`));
      else setTimeout(check, 10);
    };
    check();
  });
}

/** Longest run of near-silent samples between first and last (a gap in a continuous tone), in frames. */
function longestSilence(tap: WorkletTap, first: number, last: number): number {
  const rate = tap.sampleRate;
  let run = 0;
  let longest = 0;
  for (let f = Math.ceil(first * rate); f <= Math.floor(last * rate); f++) {
    if (Math.abs(tap.at(f)) < 1e-3) longest = Math.max(longest, ++run);
    else run = 0;
  }
  return longest;
}

describe('a host page that blocks its main thread', function () {
  this.timeout(60_000);
  const ctx = puppetAndPage();

  itExcept(MAIN_THREAD_SOCKET, 'loses no mic audio and leaves no gap in the reply (engine in a worker)', async () => {
    ctx.page = await openPage('<script type="module" src="/src/index.ts"></script>');
    const { el } = ctx.page;
    const tap = installWorkletTap(ctx.page.win);
    const ended = new Promise<CustomEvent>((r) => el.addEventListener('hydra-playback-end', (e) => r(e as CustomEvent), { once: true }));
    await connect(el, ctx.puppet);
    expect(el.debugStats?.thread).to.equal('worker');
    // The tap records before the reply starts (its module loads after the page's, on a loaded machine later).
    await until('the output tap to record', () => tap.startFrame >= 0);
    const frames: unknown[] = [{ type: 'response.created', event_id: sv(), response: { id: 'resp_long' } }];
    for (let i = 0; i < REPLY_CHUNKS; i++) frames.push({ type: 'response.output_audio.delta', event_id: sv(), response_id: 'resp_long', delta: toneDelta() });
    frames.push({ type: 'response.output_audio.done', event_id: sv(), response_id: 'resp_long' });
    frames.push({ type: 'response.done', event_id: sv(), response: { id: 'resp_long', status: 'completed', output: [] } });
    ctx.puppet.stream(frames, 20, 600);
    await new Promise<void>((resolve) => {
      const check = () => (el.state === 'speaking' ? resolve() : setTimeout(check, 10));
      check();
    });
    const before = el.debugStats!;

    // The host page at its worst, while the reply plays and the mic streams.
    for (let i = 0; i < 3; i++) {
      block(250);
      await sleep(500);
    }
    block(1000);

    const end = (await ended).detail;
    expect(end).to.deep.equal({ responseId: 'resp_long', interrupted: false, durationMs: 6000 }); // every frame of it played
    const after = el.debugStats!;
    // The reply: no underrun in the playback worklet, and at the output one unbroken tone
    // exactly as long as the 6 s sent (a stall would have stretched it).
    expect(after.playback.underruns - before.playback.underruns, 'playback underruns during the blocked stretch').to.equal(0);
    const head = tap.context!.currentTime;
    await new Promise<void>((resolve) => {
      const check = () => (tap.head() >= head ? resolve() : setTimeout(check, 10));
      check();
    });
    const heard = soundSpan(tap, 0, Infinity, SOUND)!;
    expect(heard, 'the reply at the output').to.exist;
    expect(heard.last - heard.first, 'seconds of reply at the output').to.be.within(5.95, 6.05);
    // Quanta the audio renderer itself skipped (a loaded machine) are holes in the tap that
    // read as silence; then the worklet's underrun count above is the evidence.
    if (tap.missedQuanta === 0) expect(longestSilence(tap, heard.first, heard.last), 'longest silent run inside the reply (frames)').to.be.below(8);
    else console.log(`[blocked page] the audio renderer skipped ${tap.missedQuanta} quanta (machine load); silence check skipped`);
    // The mic: no hole in the capture sequence, nothing dropped after configure, every chunk sent.
    expect(after.mic.lost, 'capture chunks lost').to.equal(0);
    expect(after.droppedAudioChunks - before.droppedAudioChunks, 'chunks dropped by the session').to.equal(0);
    expect(after.mic.chunks - before.mic.chunks, 'chunks captured while the page was blocked').to.be.at.least(100);
    // Every chunk the engine got after configure reached the server: the N-th append arrives.
    await ctx.puppet.frame('input_audio_buffer.append', after.mic.chunks - after.droppedAudioChunks - 1, 10_000);
  });

  itExcept(MAIN_THREAD_SOCKET, 'barge-in stops the reply while the page is still frozen (the flush is decided in the worker)', async () => {
    ctx.page = await openPage('<script type="module" src="/src/index.ts"></script>');
    const { el } = ctx.page;
    const tap = installWorkletTap(ctx.page.win);
    await connect(el, ctx.puppet);
    const frames: unknown[] = [{ type: 'response.created', event_id: sv(), response: { id: 'resp_cut' } }];
    for (let i = 0; i < REPLY_CHUNKS; i++) frames.push({ type: 'response.output_audio.delta', event_id: sv(), response_id: 'resp_cut', delta: toneDelta() });
    ctx.puppet.stream(frames, 20, 600);
    await until('the reply to play', () => el.state === 'speaking', () => `(state ${el.state})`);
    // The user talks over the reply: the server says so 300 ms from now, while the page is
    // frozen (asked for before the freeze, so a loaded machine cannot reorder the two).
    const speech = { type: 'input_audio_buffer.speech_started', event_id: sv(), audio_start_ms: 1500, item_id: 'item_u' };
    ctx.puppet.stream([{ type: 'response.output_audio.delta', event_id: sv(), response_id: 'resp_cut', delta: toneDelta() }, speech], 300);
    // Frozen from before the barge-in arrives until well after it. The freeze's end in
    // context time is its start plus the real time it lasted (the context runs on the
    // PulseAudio device's clock): Firefox updates currentTime from the main thread's event
    // loop, so read right after the freeze it still says when the freeze began.
    const frozenAt = tap.context!.currentTime;
    const t0 = performance.now();
    block(2000);
    const frozenUntil = frozenAt + (performance.now() - t0) / 1000;
    let turned = false;
    el.addEventListener('hydra-turn-start', () => (turned = true), { once: true });
    await until('hydra-turn-start', () => turned, () => `(state ${el.state}, ${ctx.puppet.sent('input_audio_buffer.append').length} appends)`); // the page hears of it only now
    const where = () => `(tap at ${tap.head().toFixed(3)}, context at ${tap.context!.currentTime.toFixed(3)}, froze ${frozenAt.toFixed(3)} → ${frozenUntil.toFixed(3)})`;
    await until('the output tap to pass the freeze', () => tap.head() >= frozenUntil + 0.2, where);
    // Cut by the flush, not starved: the reply's queue never ran dry before the cut.
    expect(el.debugStats!.playback.underruns, 'playback underruns (a starved reply goes silent without a flush)').to.equal(0);
    const heard = soundSpan(tap, 0, Infinity, SOUND)!;
    expect(heard, 'the reply at the output').to.exist;
    expect(heard.last, 'the last audible sample of the reply, against the end of the freeze (context time)').to.be.below(frozenUntil);
  });
});
