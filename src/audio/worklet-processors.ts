// The AudioWorkletProcessor subclasses, defined by a function that receives everything it
// uses as arguments. The function runs only in the AudioWorkletGlobalScope, either from
// the generated module text (worklet-source.ts: `(${fn})(Resampler, ...)`) or from the
// worklet-entry.ts module file; on the main thread it is never called. Free names in it
// are the worklet scope's own globals, which no minifier renames.
import type { CaptureCore } from './capture-core.ts';
import type { EchoGuard } from './echo-guard.ts';
import type { PlaybackCore } from './playback-core.ts';
import type { Resampler } from './resampler.ts';

// Globals of the AudioWorkletGlobalScope (types only; nothing is emitted).
declare const sampleRate: number;
declare const currentFrame: number;
declare const registerProcessor: (name: string, ctor: unknown) => void;
declare class AudioWorkletProcessor {
  readonly port: MessagePort;
  constructor(options?: AudioWorkletNodeOptions);
}

/**
 * Registers the capture and playback processors under the given names. Both share one
 * echo guard (the module is evaluated once per AudioContext): playback tells it what it
 * plays, capture asks it whether the mic hears only that.
 */
export function registerHydraProcessors(
  ResamplerClass: typeof Resampler,
  CaptureClass: typeof CaptureCore,
  PlaybackClass: typeof PlaybackCore,
  EchoGuardClass: typeof EchoGuard,
  captureName: string,
  playbackName: string,
): void {
  const post = (port: MessagePort) => (m: unknown, t?: Transferable[]) => port.postMessage(m, t || []);
  const guard = new EchoGuardClass(sampleRate);

  class HydraVoiceCaptureProcessor extends AudioWorkletProcessor {
    declare alive: boolean;
    declare core: CaptureCore;
    declare mix: Float32Array | null;
    constructor(options: AudioWorkletNodeOptions) {
      super(options);
      this.alive = true;
      this.mix = null;
      const o = (options && options.processorOptions) || {};
      this.core = new CaptureClass(sampleRate, o, ResamplerClass, post(this.port), o.echoGuard === false ? null : guard);
      this.port.onmessage = (e: MessageEvent) => {
        if (e.data && e.data.type === 'stop') this.alive = false;
      };
    }
    process(inputs: Float32Array[][]): boolean {
      const input = inputs[0];
      let ch = input && input[0];
      if (input && ch && input.length > 1) {
        // The node asks for mono; average if a stereo input slips through anyway.
        if (!this.mix || this.mix.length !== ch.length) this.mix = new Float32Array(ch.length);
        const mix = this.mix;
        mix.fill(0);
        for (let c = 0; c < input.length; c++) for (let i = 0; i < mix.length; i++) mix[i]! += input[c]![i]! / input.length;
        ch = mix;
      }
      this.core.process(ch, currentFrame);
      return this.alive;
    }
  }

  class HydraVoicePlaybackProcessor extends AudioWorkletProcessor {
    declare alive: boolean;
    declare core: PlaybackCore;
    declare echoState: string;
    declare echoReportAt: number;
    constructor(options: AudioWorkletNodeOptions) {
      super(options);
      this.alive = true;
      this.echoState = '';
      this.echoReportAt = 0;
      this.core = new PlaybackClass(sampleRate, (options && options.processorOptions) || {}, ResamplerClass, post(this.port));
      this.port.onmessage = (e: MessageEvent) => {
        if (e.data && e.data.type === 'stop') this.alive = false;
        else if (e.data && e.data.type === 'echo-relearn') guard.relearn();
        else this.core.command(e.data);
      };
    }
    process(_inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
      const out = outputs[0];
      if (!out || out.length === 0) return this.alive;
      this.core.process(out[0]!, currentFrame);
      guard.played(out[0]!, currentFrame);
      // Playback chooses its output route from the guard's verdict (playback.ts); a report
      // every ~2 s keeps its counters current for diagnostics.
      if (guard.state !== this.echoState || currentFrame >= this.echoReportAt) {
        this.echoState = guard.state;
        this.echoReportAt = currentFrame + 2 * sampleRate;
        this.port.postMessage({ type: 'echo', report: guard.report() });
      }
      for (let c = 1; c < out.length; c++) out[c]!.set(out[0]!);
      return this.alive;
    }
  }

  registerProcessor(captureName, HydraVoiceCaptureProcessor);
  registerProcessor(playbackName, HydraVoicePlaybackProcessor);
}
