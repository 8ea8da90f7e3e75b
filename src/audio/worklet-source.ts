// The worklet module's source text, built from the classes' own code so the worklets ship
// inside the single bundled script. Each class is bound to an explicit name here because a
// minifier renames classes: the generated text never relies on the bundle's names, and the
// classes reference nothing outside themselves (dependencies are passed as arguments).
import { Resampler } from './resampler.ts';
import { CaptureCore } from './capture-core.ts';
import { PlaybackCore } from './playback-core.ts';

/** Processor names registered by the worklet module. */
export const CAPTURE_PROCESSOR = 'hydra-voice-capture';
export const PLAYBACK_PROCESSOR = 'hydra-voice-playback';

// Written as plain text, so no tool rewrites it. `sampleRate` and `currentFrame` are
// globals of the AudioWorkletGlobalScope.
const captureWrapper = `
class HydraVoiceCaptureProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.alive = true;
    this.core = new CaptureCore(sampleRate, (options && options.processorOptions) || {}, Resampler,
      (m, t) => this.port.postMessage(m, t || []));
    this.port.onmessage = (e) => { if (e.data && e.data.type === 'stop') this.alive = false; };
  }
  process(inputs) {
    const input = inputs[0];
    let ch = input && input[0];
    if (ch && input.length > 1) {
      // Safety net for a stereo input (the node asks for mono): average the channels.
      const mix = new Float32Array(ch.length);
      for (let c = 0; c < input.length; c++) for (let i = 0; i < mix.length; i++) mix[i] += input[c][i] / input.length;
      ch = mix;
    }
    this.core.process(ch, currentFrame);
    return this.alive;
  }
}
registerProcessor(${JSON.stringify(CAPTURE_PROCESSOR)}, HydraVoiceCaptureProcessor);
`;

const playbackWrapper = `
class HydraVoicePlaybackProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.alive = true;
    this.core = new PlaybackCore(sampleRate, (options && options.processorOptions) || {}, Resampler,
      (m, t) => this.port.postMessage(m, t || []));
    this.port.onmessage = (e) => {
      if (e.data && e.data.type === 'stop') this.alive = false;
      else this.core.command(e.data);
    };
    this.port.postMessage({ type: 'ready' });
  }
  process(inputs, outputs) {
    const out = outputs[0];
    if (!out || out.length === 0) return this.alive;
    this.core.process(out[0], currentFrame);
    for (let c = 1; c < out.length; c++) out[c].set(out[0]);
    return this.alive;
  }
}
registerProcessor(${JSON.stringify(PLAYBACK_PROCESSOR)}, HydraVoicePlaybackProcessor);
`;

const bind = (name: string, value: { toString(): string }) => `const ${name} = (${value.toString()});\n`;

/** Source of a module that registers only the capture processor. */
export function captureWorkletSource(): string {
  return `// hydra-voice capture worklet (generated)\n${bind('Resampler', Resampler)}${bind('CaptureCore', CaptureCore)}${captureWrapper}`;
}

/** Source of a module that registers only the playback processor. */
export function playbackWorkletSource(): string {
  return `// hydra-voice playback worklet (generated)\n${bind('Resampler', Resampler)}${bind('PlaybackCore', PlaybackCore)}${playbackWrapper}`;
}

/**
 * Source of the module that registers both processors: what the loader loads, and what a
 * build step writes to `dist/hydra-voice-worklets.js` for pages whose CSP allows neither
 * blob: nor data: scripts (they then set `worklet-url` to that same-origin file).
 */
export function workletSource(): string {
  return `// hydra-voice audio worklets (generated from the library's own code; do not edit)\n${bind('Resampler', Resampler)}${bind('CaptureCore', CaptureCore)}${bind('PlaybackCore', PlaybackCore)}${captureWrapper}${playbackWrapper}`;
}
