// The worklet module's source text, built from the library's own code so the worklets ship
// inside the single bundled script. Each class is bound to an explicit name here because a
// minifier renames classes: the generated text never relies on the bundle's names, and the
// code it embeds references nothing outside itself (dependencies are passed as arguments).
import { Resampler } from './worklet/resampler.ts';
import { CaptureCore } from './worklet/capture-core.ts';
import { PlaybackCore } from './worklet/playback-core.ts';
import { EchoGuard } from './worklet/echo-guard.ts';
import { registerHydraProcessors } from './worklet/processors.ts';
import { CAPTURE_PROCESSOR, PLAYBACK_PROCESSOR } from './worklet/names.ts';

export { CAPTURE_PROCESSOR, PLAYBACK_PROCESSOR };

const bind = (name: string, value: { toString(): string }) => `const ${name} = (${value.toString()});\n`;

function build(capture: boolean, playback: boolean): string {
  // A part that is left out gets a processor name nobody asks for (registered, never used).
  const names = [capture ? CAPTURE_PROCESSOR : `${CAPTURE_PROCESSOR}-unused`, playback ? PLAYBACK_PROCESSOR : `${PLAYBACK_PROCESSOR}-unused`];
  return (
    '// hydra-voice audio worklets (generated from the library\'s own code; do not edit)\n' +
    bind('Resampler', Resampler) +
    bind('CaptureCore', capture ? CaptureCore : 'class {}') +
    bind('PlaybackCore', playback ? PlaybackCore : 'class {}') +
    bind('EchoGuard', EchoGuard) +
    `(${registerHydraProcessors.toString()})(Resampler, CaptureCore, PlaybackCore, EchoGuard, ${JSON.stringify(names[0])}, ${JSON.stringify(names[1])});\n`
  );
}

/** Source of a module that registers only the capture processor. */
export function captureWorkletSource(): string {
  return build(true, false);
}

/** Source of a module that registers only the playback processor. */
export function playbackWorkletSource(): string {
  return build(false, true);
}

/**
 * Source of the module that registers both processors: what the loader loads, and what a
 * build step can write to `dist/hydra-voice-worklets.js` (same content as bundling
 * worklet/entry.ts) for pages whose CSP allows neither blob: nor data: scripts.
 */
export function workletSource(): string {
  return build(true, true);
}
