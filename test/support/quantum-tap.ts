// An output tap on the render clock, for the soak's verdict: an AudioWorklet recorder on
// the element's context that every node connected to the destination also feeds. It keeps
// one (currentFrame, peak) pair per render quantum, so silence is measured in exact frames
// and quanta the renderer skipped (the OS starved the audio thread) show as holes in the
// frame sequence instead of reading as silence. (The ScriptProcessor tap of output-tap.ts
// runs on the main thread: it loses and mis-stamps blocks when that thread is busy.)
import type { QuantumTap } from './conversation-page.ts';

const PROCESSOR = `
class HvQuantumTap extends AudioWorkletProcessor {
  constructor() { super(); this.reset(); }
  reset() { this.f = new Float64Array(64); this.p = new Float32Array(64); this.n = 0; }
  process(inputs) {
    const ch = inputs[0] && inputs[0][0];
    let peak = 0;
    if (ch) for (let i = 0; i < ch.length; i++) { const v = ch[i] < 0 ? -ch[i] : ch[i]; if (v > peak) peak = v; }
    this.f[this.n] = currentFrame;
    this.p[this.n] = peak;
    if (++this.n === 64) { this.port.postMessage({ f: this.f, p: this.p }, [this.f.buffer, this.p.buffer]); this.reset(); }
    return true;
  }
}
registerProcessor('hv-quantum-tap', HvQuantumTap);
`;

/** Records the first AudioContext's output into `into` (appended; the caller drains it). */
export function installQuantumTap(win: Window & typeof globalThis, into: QuantumTap): void {
  const originalConnect = win.AudioNode.prototype.connect as (...args: unknown[]) => unknown;
  let context: BaseAudioContext | undefined;
  let recorder: Promise<AudioWorkletNode> | undefined;
  let node: AudioWorkletNode | undefined;
  const recorderFor = (ctx: BaseAudioContext): Promise<AudioWorkletNode> => {
    const url = win.URL.createObjectURL(new win.Blob([PROCESSOR], { type: 'text/javascript' }));
    return ctx.audioWorklet.addModule(url).then(() => {
      node = new win.AudioWorkletNode(ctx, 'hv-quantum-tap', { numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [1], channelCount: 1, channelCountMode: 'explicit' });
      node.port.onmessage = (e: MessageEvent<{ f: Float64Array; p: Float32Array }>) => {
        for (let i = 0; i < e.data.f.length; i++) {
          into.frames.push(e.data.f[i]!);
          into.peaks.push(e.data.p[i]!);
        }
      };
      // A silent output keeps the recorder pulled by the destination.
      originalConnect.call(node, ctx.destination);
      return node;
    });
  };
  win.AudioNode.prototype.connect = function (this: AudioNode, ...args: unknown[]) {
    const result = originalConnect.apply(this, args);
    const target = args[0];
    if (target instanceof win.AudioDestinationNode && this !== node && !(this instanceof win.ScriptProcessorNode) && (!context || context === this.context)) {
      context = this.context;
      recorder ??= recorderFor(this.context);
      void recorder.then((rec) => originalConnect.call(this, rec));
    }
    return result;
  } as typeof AudioNode.prototype.connect;
}
