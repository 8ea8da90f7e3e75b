// Audio engine: mic capture (device rate → 16 kHz PCM16, 20 ms chunks), playback (48 kHz
// PCM16, flush by response id), worklet loading, levels. DOM/Web Audio only.
export { createAudioContext } from './context.ts';
export { MicCapture, MicError, MIC_ERROR_CODES, micErrorFrom } from './mic-capture.ts';
export type { MicCaptureOptions, MicProblem, MicStats } from './mic-capture.ts';
export { Playback } from './playback.ts';
export type { PlaybackOptions, PlaybackStats } from './playback.ts';
export { PlaybackChannel } from './playback-channel.ts';
export { CaptureChannel } from './capture-channel.ts';
export type { CaptureStats } from './capture-channel.ts';
export { loadWorklets, loadWorkletModule, WorkletLoadError, blobStep, dataStep } from './worklet-loader.ts';
export type { WorkletLoadOptions, WorkletStep, WorkletVia } from './worklet-loader.ts';
export { workletSource, captureWorkletSource, playbackWorkletSource, CAPTURE_PROCESSOR, PLAYBACK_PROCESSOR } from './worklet-source.ts';
export { Resampler } from './worklet/resampler.ts';
export type { ResamplerOptions } from './worklet/resampler.ts';
export { CaptureCore } from './worklet/capture-core.ts';
export type { CaptureMessage, CaptureOptions } from './worklet/capture-core.ts';
export { PlaybackCore } from './worklet/playback-core.ts';
export type { PlaybackCommand, PlaybackMessage } from './worklet/playback-core.ts';
