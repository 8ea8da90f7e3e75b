// The AudioWorkletProcessor subclasses, defined by a function that receives everything it
// uses as arguments. The function runs only in the AudioWorkletGlobalScope, either from
// the generated module text (worklet-source.ts: `(${fn})(Resampler, ...)`) or from the
// entry.ts module file; on the main thread it is never called. Free names in it
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
  const guard = new EchoGuardClass(sampleRate);

  class HydraVoiceCaptureProcessor extends AudioWorkletProcessor {
    declare alive: boolean;
    declare core: CaptureCore;
    declare mix: Float32Array | null;
    /** Where chunks go once routed (a port to the worker); null: the node's own port. */
    declare route: MessagePort | null;
    /** Routed mode, before the route arrived: chunks wait here (none is lost). */
    declare held: [unknown, Transferable[] | undefined][] | null;
    constructor(options: AudioWorkletNodeOptions) {
      super(options);
      const opts = (options && options.processorOptions) || {};
      this.alive = true;
      this.mix = null;
      this.route = null;
      this.held = opts.routed ? [] : null;
      this.core = new CaptureClass(
        sampleRate,
        opts,
        ResamplerClass,
        (m: unknown, t?: Transferable[]) => this.post(m, t),
        opts.echoGuard === false ? null : guard,
      );
      this.port.onmessage = (e: MessageEvent) => {
        const d = e.data;
        if (d && d.type === 'stop') this.alive = false;
        else if (d && d.type === 'route' && d.port) {
          this.route = d.port as MessagePort;
          const held = this.held || [];
          this.held = null;
          for (let i = 0; i < held.length; i++) this.route.postMessage(held[i]![0], held[i]![1] || []);
        }
      };
    }
    /** Chunks to the route (or held until it arrives); everything else to the node's port. */
    post(m: unknown, t?: Transferable[]): void {
      const chunk = (m as { type?: string }).type === 'chunk';
      if (chunk && this.route) this.route.postMessage(m, t || []);
      else if (chunk && this.held) {
        this.held.push([m, t]);
        if (this.held.length > 3000) this.held.shift(); // 60 s without a route: something broke
      } else this.port.postMessage(m, t || []);
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
    /** Once routed (a port to the worker): commands also come from it, and every message goes to it. */
    declare route: MessagePort | null;
    constructor(options: AudioWorkletNodeOptions) {
      super(options);
      this.alive = true;
      this.echoState = '';
      this.echoReportAt = 0;
      this.route = null;
      this.core = new PlaybackClass(sampleRate, (options && options.processorOptions) || {}, ResamplerClass, (m: unknown, t?: Transferable[]) =>
        (this.route || this.port).postMessage(m, t || []),
      );
      const onCommand = (e: MessageEvent) => {
        const d = e.data;
        if (d && d.type === 'stop') this.alive = false;
        else if (d && d.type === 'echo-relearn') guard.relearn();
        else if (d && d.type === 'route' && d.port) {
          this.route = d.port as MessagePort;
          this.route.onmessage = onCommand;
        } else this.core.command(d);
      };
      this.port.onmessage = onCommand;
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
        // Always to the node's own port: the output route (playback.ts) lives on the main
        // thread (RTCPeerConnection and HTMLAudioElement do not exist in a worker).
        this.port.postMessage({ type: 'echo', report: guard.report() });
      }
      for (let c = 1; c < out.length; c++) out[c]!.set(out[0]!);
      return this.alive;
    }
  }

  registerProcessor(captureName, HydraVoiceCaptureProcessor);
  registerProcessor(playbackName, HydraVoicePlaybackProcessor);
}
