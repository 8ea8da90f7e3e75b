// Entry of the standalone worklet file (dist/hydra-voice-worklets.js) for pages whose CSP
// allows neither blob: nor data: scripts: bundle this file on its own (it has no exports)
// and set `worklet-url` to it. It registers exactly what the generated source registers.
import { Resampler } from './resampler.ts';
import { CaptureCore } from './capture-core.ts';
import { PlaybackCore } from './playback-core.ts';
import { EchoGuard } from './echo-guard.ts';
import { registerHydraProcessors } from './processors.ts';
import { CAPTURE_PROCESSOR, PLAYBACK_PROCESSOR } from './names.ts';

registerHydraProcessors(Resampler, CaptureCore, PlaybackCore, EchoGuard, CAPTURE_PROCESSOR, PLAYBACK_PROCESSOR);
