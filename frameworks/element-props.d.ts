// What <hydra-voice> accepts in a template, shared by the React, Vue and Svelte typings.
import type { HydraVoiceElement, HydraVoiceEventMap } from 'hydra-voice';

/** The element's attributes, as written in HTML (kebab-case). */
export interface HydraVoiceAttributes {
  'token-endpoint'?: string;
  agent?: string;
  url?: string;
  model?: 'hydra-v1.1' | 'hydra-v1.0' | 'hydra' | (string & {});
  voice?: string;
  persona?: string;
  'speaks-first'?: boolean;
  muted?: boolean;
  'worklet-url'?: string;
  'tool-timeout'?: number | string;
  'wire-log'?: boolean;
  compact?: boolean;
}

/** Properties a framework may set directly (objects and functions cannot be attributes). */
export type HydraVoiceProperties = Partial<Pick<HydraVoiceElement, Extract<keyof HydraVoiceElement, 'tools' | 'tokenProvider'>>>;

/** `on<event>` handlers with typed details, e.g. `onhydra-error`. */
export type HydraVoiceLowercaseHandlers = {
  [K in keyof HydraVoiceEventMap as `on${K}`]?: (event: HydraVoiceEventMap[K]) => void;
};

type Camel<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Capitalize<Head>}${Camel<Tail>}` : Capitalize<S>;

/** `onHydraError`-style handlers (how Vue names listeners for `@hydra-error`). */
export type HydraVoiceCamelHandlers = {
  [K in keyof HydraVoiceEventMap as `on${Camel<K>}`]?: (event: HydraVoiceEventMap[K]) => void;
};
