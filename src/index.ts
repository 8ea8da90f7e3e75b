// hydra-voice as an ES module (dist/hydra-voice.mjs, for bundlers, with types): defines
// <hydra-voice> and exports the public API. Its engine runs in a module worker started
// with the pattern bundlers understand, `new Worker(new URL('…', import.meta.url))`:
// dist/hydra-voice-worker.mjs once built, src/worker/entry.ts from source.
// The classic script (dist/hydra-voice.js) is built from src/classic.ts instead.
// Imported where there is no DOM (server-side rendering) it defines nothing and throws
// nothing (ssr-enter.ts / ssr-leave.ts, define.ts).
import './element/ssr-enter.ts'; // first: see the file
import { defineHydraVoice } from './element/define.ts';
import { moduleCandidates, setBundledWorker } from './worker/loader.ts';

export * from './element/api.ts';
export type * from './element/events.ts';
export type { HydraVoiceDebugStats } from './element/conversation-controller.ts';
export type { TokenProvider, TokenAnswer } from './session/token.ts';
export type { HydraHistoryEntry, HydraUserTurn, HydraAgentReply, HydraToolCall } from './element/history.ts';
export type { HydraVoiceStrings, HydraVoiceStringKey } from './element/strings.ts';
export type { Model, Tool, SessionConfig, ErrorCode, ResponseStatus, ResponseReason, Usage } from './protocol/schemas.ts';

// The build (vite.config.ts) replaces these two with the built worker file and a literal
// `() => new Worker(new URL("./hydra-voice-worker.mjs", import.meta.url), {type: "module"})`.
// From source they are undefined and the module worker is src/worker/entry.ts.
declare const __HV_MODULE_WORKER_FILE__: string | undefined;
declare const __HV_MODULE_WORKER__: (() => Worker) | undefined;
const SOURCE_WORKER = './worker/entry.ts';
const workerFile = typeof __HV_MODULE_WORKER_FILE__ === 'string' ? __HV_MODULE_WORKER_FILE__ : SOURCE_WORKER;
const createWorker =
  typeof __HV_MODULE_WORKER__ === 'function' ? __HV_MODULE_WORKER__ : () => new Worker(new URL(SOURCE_WORKER, import.meta.url), { type: 'module' });

setBundledWorker(() => moduleCandidates(new URL(workerFile, import.meta.url), createWorker));

import './element/ssr-leave.ts'; // last: see the file

defineHydraVoice();
