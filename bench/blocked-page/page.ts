// Browser side of bench/blocked-page.ts, injected before the page's scripts: the output
// tap (an AudioWorklet recording every quantum with its frame, so a blocked main thread
// delays the recording but loses nothing), counters of audio that passes the page's main
// thread, and the host page's misbehaviour (busy loops on the main thread).
import { installWorkletTap, soundSpan } from '../../test/browser/e2e/helpers.ts';

declare global {
  interface Window {
    __blocked: {
      block(ms: number): number;
      audioMessages(): number;
      reply(threshold: number): { heardS: number; silentMs: number; gaps: number; longestGapMs: number; missedQuanta: number } | undefined;
      suspend(): Promise<void>;
    };
  }
}

const tap = installWorkletTap(window);
let audioMessages = 0;

// Audio on the main thread: capture chunks and playback commands through MessagePorts,
// reply deltas through a WebSocket (the main-thread fallback); none with the worker.
const portPost = MessagePort.prototype.postMessage;
MessagePort.prototype.postMessage = function (this: MessagePort, message: unknown, ...rest: unknown[]) {
  if ((message as { type?: string } | null)?.type === 'chunk') audioMessages++;
  return (portPost as (...a: unknown[]) => void).call(this, message, ...rest);
} as typeof MessagePort.prototype.postMessage;
const countIn = (data: unknown) => {
  if ((data as { type?: string } | null)?.type === 'chunk') audioMessages++;
  else if (typeof data === 'string' && data.includes('output_audio.delta')) audioMessages++;
};
for (const proto of [MessagePort.prototype, WebSocket.prototype] as EventTarget[]) {
  const desc = Object.getOwnPropertyDescriptor(proto, 'onmessage')!;
  Object.defineProperty(proto, 'onmessage', {
    ...desc,
    set(this: EventTarget, fn: ((ev: MessageEvent) => unknown) | null) {
      desc.set!.call(this, fn && function (this: EventTarget, ev: MessageEvent) {
        countIn(ev.data);
        return fn.call(this, ev);
      });
    },
  });
}

window.__blocked = {
  block(ms) {
    const t0 = performance.now();
    while (performance.now() - t0 < ms) {
      // the host page's long task
    }
    return performance.now() - t0;
  },
  audioMessages: () => audioMessages,
  /** The reply at the output: from its first to its last audible sample, every silent run inside it is a gap (the source is a continuous tone). */
  reply(threshold) {
    const span = soundSpan(tap, 0, Infinity, threshold);
    if (!span) return undefined;
    const rate = tap.sampleRate;
    let run = 0;
    let silent = 0;
    let gaps = 0;
    let longest = 0;
    const minGap = Math.round(rate * 0.002);
    const close = () => {
      if (run >= minGap) {
        gaps++;
        silent += run;
        longest = Math.max(longest, run);
      }
      run = 0;
    };
    for (let f = Math.ceil(span.first * rate); f <= Math.floor(span.last * rate); f++) {
      if (Math.abs(tap.at(f)) < threshold) run++;
      else close();
    }
    close();
    return { heardS: span.last - span.first, silentMs: (silent / rate) * 1000, gaps, longestGapMs: (longest / rate) * 1000, missedQuanta: tap.missedQuanta };
  },
  /** Stops the audio clock (so the capture worklet makes no more chunks). */
  async suspend() {
    await tap.context?.suspend();
  },
};
