// <hydra-voice> in React 19 JSX (and Next.js). Load once, e.g. in a component file:
//   import type {} from 'hydra-voice/react';
// React 19 sets known properties (tools, tokenProvider) as properties, the rest as
// attributes, and adds `on<event>` props as listeners: <hydra-voice onhydra-error={…}>.
import type { DetailedHTMLProps, HTMLAttributes } from 'react';
import type { HydraVoiceElement } from 'hydra-voice';
import type { HydraVoiceAttributes, HydraVoiceLowercaseHandlers, HydraVoiceProperties } from './element-props.js';

export type HydraVoiceReactProps = DetailedHTMLProps<HTMLAttributes<HydraVoiceElement>, HydraVoiceElement> &
  HydraVoiceAttributes &
  HydraVoiceProperties &
  HydraVoiceLowercaseHandlers;

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'hydra-voice': HydraVoiceReactProps;
    }
  }
}
