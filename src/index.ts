// hydra-voice: the browser entry. As dist/hydra-voice.js (a classic script) it defines
// <hydra-voice> and exposes window.HydraVoice; as dist/hydra-voice.mjs it is the ES module
// for bundlers, with types.
import { defineHydraVoice } from './element/define.ts';

export { HydraVoiceElement } from './element/hydra-voice.ts';
export { defineHydraVoice, TAG_NAME } from './element/define.ts';
export type * from './element/events.ts';
export type { HydraVoiceDebugStats } from './element/conversation-controller.ts';
export type { HydraHistoryEntry, HydraUserTurn, HydraAgentReply, HydraToolCall } from './element/history.ts';
export type { HydraVoiceStrings, HydraVoiceStringKey } from './element/strings.ts';
export { VOICES, DEFAULT_MODEL, checkVoice } from './protocol/voices.ts';
export type { Model, Tool, SessionConfig, ErrorCode, ResponseStatus, ResponseReason, Usage } from './protocol/schemas.ts';

defineHydraVoice();
