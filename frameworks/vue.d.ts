// <hydra-voice> in Vue 3 templates (checked by vue-tsc / Volar). Load once, e.g. in env.d.ts:
//   import type {} from 'hydra-voice/vue';
// and tell the compiler it is a custom element: compilerOptions.isCustomElement =
// (tag) => tag === 'hydra-voice'. Listen with @hydra-error="…".
import type { DefineComponent } from 'vue';
import type { HydraVoiceAttributes, HydraVoiceCamelHandlers, HydraVoiceProperties } from './element-props.js';

type CamelAttributes = {
  [K in keyof HydraVoiceAttributes as K extends `${infer H}-${infer T}` ? `${H}${Capitalize<T>}` : K]: HydraVoiceAttributes[K];
};

export type HydraVoiceVueProps = CamelAttributes & HydraVoiceProperties & HydraVoiceCamelHandlers;

declare module 'vue' {
  interface GlobalComponents {
    'hydra-voice': DefineComponent<HydraVoiceVueProps>;
  }
}
