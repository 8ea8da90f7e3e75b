// The public browser API, without side effects: what src/index.ts (ES module) exports and
// what src/classic.ts (the classic script) exposes as window.HydraVoice.
export { HydraVoiceElement } from './hydra-voice.ts';
export { defineHydraVoice, TAG_NAME } from './define.ts';
export { VOICES, DEFAULT_MODEL, checkVoice } from '../protocol/voices.ts';
