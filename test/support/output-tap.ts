// A tap on the speakers, for end-to-end tests: whatever any AudioNode on this page sends to
// an AudioContext's destination is also routed into a recorder, so tests observe the audio
// that really reaches the output (not the events that announce it).
//
// Installed by patching AudioNode.prototype.connect in the page before the element starts
// its AudioContext. The recorder is a ScriptProcessorNode: deprecated, but it is created
// synchronously (no module to load) and reports each block with its exact playbackTime.
const BLOCK = 256;

export interface TapBlock {
  /** Context time (s) at which this block is played. */
  time: number;
  /** Peak absolute sample value in the block. */
  peak: number;
}

export interface OutputTap {
  blocks: TapBlock[];
  /** Optional raw capture of every sample (for seam analysis); off unless enabled. */
  samples: Float32Array[];
  recordSamples: boolean;
  context?: BaseAudioContext;
  sampleRate: number;
}

declare global {
  interface Window {
    __hydraOutputTap?: OutputTap;
  }
}

export function installOutputTap(win: Window & typeof globalThis = window): OutputTap {
  if (win.__hydraOutputTap) return win.__hydraOutputTap;
  const tap: OutputTap = { blocks: [], samples: [], recordSamples: false, sampleRate: 0 };
  win.__hydraOutputTap = tap;
  const recorders = new WeakMap<BaseAudioContext, ScriptProcessorNode>();
  const originalConnect = win.AudioNode.prototype.connect as (...args: unknown[]) => unknown;

  function recorderFor(ctx: BaseAudioContext): ScriptProcessorNode {
    let rec = recorders.get(ctx);
    if (rec) return rec;
    rec = (ctx as AudioContext).createScriptProcessor(BLOCK, 1, 1);
    recorders.set(ctx, rec);
    tap.context = ctx;
    tap.sampleRate = ctx.sampleRate;
    rec.onaudioprocess = (e) => {
      const input = e.inputBuffer.getChannelData(0);
      let peak = 0;
      for (let i = 0; i < input.length; i++) peak = Math.max(peak, Math.abs(input[i]!));
      tap.blocks.push({ time: e.playbackTime, peak });
      if (tap.recordSamples) tap.samples.push(input.slice());
      if (tap.blocks.length > 200_000) tap.blocks.splice(0, 100_000);
    };
    // A ScriptProcessor only runs while connected to the destination; its output is silent.
    originalConnect.call(rec, ctx.destination);
    return rec;
  }

  win.AudioNode.prototype.connect = function (this: AudioNode, ...args: unknown[]) {
    const result = originalConnect.apply(this, args);
    const target = args[0];
    if (target instanceof win.AudioDestinationNode && !(this instanceof win.ScriptProcessorNode)) {
      originalConnect.call(this, recorderFor(this.context));
    }
    return result;
  } as typeof AudioNode.prototype.connect;
  return tap;
}

/** Context time of the first block after `from` whose peak exceeds `threshold`. */
export function firstSoundAfter(tap: OutputTap, from: number, threshold = 0.01): number | undefined {
  return tap.blocks.find((b) => b.time >= from && b.peak > threshold)?.time;
}

/** Context time of the first silent block after `from`, after which it stays silent for `holdS`. */
export function silentFrom(tap: OutputTap, from: number, holdS = 0.2, threshold = 0.001): number | undefined {
  const blocks = tap.blocks.filter((b) => b.time >= from);
  for (let i = 0; i < blocks.length; i++) {
    if (blocks[i]!.peak > threshold) continue;
    const start = blocks[i]!.time;
    let j = i;
    while (j < blocks.length && blocks[j]!.peak <= threshold) j++;
    if (j === blocks.length || blocks[j]!.time - start >= holdS) {
      if (j === blocks.length && blocks[blocks.length - 1]!.time - start < holdS) return undefined;
      return start;
    }
    i = j;
  }
  return undefined;
}
