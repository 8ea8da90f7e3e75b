// <hydra-voice> in Svelte 5 markup (checked by svelte-check). Load once, e.g. in src/app.d.ts:
//   import type {} from 'hydra-voice/svelte';
// Listen with onhydra-error={…} (Svelte 5) or on:hydra-error (Svelte 4 syntax).
import type { HTMLAttributes } from 'svelte/elements';
import type { HydraVoiceElement, HydraVoiceEventMap } from 'hydra-voice';
import type { HydraVoiceAttributes, HydraVoiceLowercaseHandlers, HydraVoiceProperties } from './element-props.js';

type ColonHandlers = { [K in keyof HydraVoiceEventMap as `on:${K}`]?: (event: HydraVoiceEventMap[K]) => void };

export type HydraVoiceSvelteProps = HTMLAttributes<HydraVoiceElement> & HydraVoiceAttributes & HydraVoiceProperties & HydraVoiceLowercaseHandlers & ColonHandlers;

declare module 'svelte/elements' {
  interface SvelteHTMLElements {
    'hydra-voice': HydraVoiceSvelteProps;
  }
}
