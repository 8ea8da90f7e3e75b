// Capture latency of the shipped capture path (MicCapture + the capture worklet), in any
// engine: a step at a known, random context frame (a ConstantSourceNode as the source) →
// the frame of the render quantum that posts the chunk holding it. Used by bench/audio.ts
// (Chromium) and bench/engines.ts (every engine).
import { MicCapture } from '../../src/audio/mic-capture.ts';
import type { CaptureMessage } from '../../src/audio/worklet/capture-core.ts';
import { Resampler } from '../../src/audio/worklet/resampler.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Step into the capture node at known frames; frames from the step to the chunk holding it. */
export async function captureLatency(runs = 20) {
  const ctx = new AudioContext({ latencyHint: 'interactive' });
  await ctx.resume();
  const src = new ConstantSourceNode(ctx, { offset: 0 });
  src.start();
  const mic = new MicCapture(ctx, { source: src });
  await mic.start();
  const rate = ctx.sampleRate;
  const lat: number[] = [];
  const delivery: number[] = [];
  let armed: { step: number; resolve: () => void } | undefined;
  mic.workletNode!.port.addEventListener('message', (e: MessageEvent<CaptureMessage>) => {
    const m = e.data;
    // A chunk posted before the step cannot hold it: under load, the tail of the previous
    // step (50 ms long) can still be in flight when the next step is armed.
    if (m.type !== 'chunk' || !armed || m.frame < armed.step) return;
    let hit = false;
    for (let i = 0; i < m.pcm.length; i++) if (m.pcm[i]! > 8192) hit = true; // half of the 0.5 step
    if (hit) {
      lat.push(m.frame - armed.step);
      // Main-thread view: how far the context clock is past the posting quantum on receipt.
      delivery.push(ctx.currentTime * rate - m.frame);
      armed.resolve();
      armed = undefined;
    }
  });
  for (let k = 0; k < runs; k++) {
    // A random, quantum-independent step time ~100 ms ahead.
    const step = Math.round(ctx.currentTime * rate + rate * 0.1 + Math.random() * rate * 0.02);
    await new Promise<void>((resolve) => {
      armed = { step, resolve };
      src.offset.setValueAtTime(0.5, step / rate);
      src.offset.setValueAtTime(0, (step + rate * 0.05) / rate);
    });
    await sleep(60);
  }
  mic.stop();
  await ctx.close();
  return {
    rate,
    medianFrames: median(lat),
    maxFrames: Math.max(...lat),
    minFrames: Math.min(...lat),
    medianMs: (median(lat) / rate) * 1000,
    maxMs: (Math.max(...lat) / rate) * 1000,
    deliveryMedianMs: (median(delivery) / rate) * 1000,
    lookaheadMs: (new Resampler(rate, 16_000).lookahead / rate) * 1000,
  };
}

