// One icon per state, drawn as inline SVG (no icon font, no extra request).
import { svg, type SVGTemplateResult } from 'lit';
import type { HydraVoiceState } from './events.ts';

const mic = svg`<rect x="9" y="3" width="6" height="11" rx="3"></rect><path d="M5 11a7 7 0 0 0 14 0M12 18v3"></path>`;
const micOff = svg`<path d="M9 9v2a3 3 0 0 0 5.1 2.1M15 10V6a3 3 0 0 0-5.7-1.3M5 11a7 7 0 0 0 11.5 5.3M19 11a7 7 0 0 1-.4 2.3M12 18v3M3 3l18 18"></path>`;
const stop = svg`<rect x="7" y="7" width="10" height="10" rx="2"></rect>`;
const spinner = svg`<g class="spin"><path d="M12 3a9 9 0 1 0 9 9"></path></g>`;
const dots = svg`<g class="pulse"><circle cx="6" cy="12" r="1.5"></circle><circle cx="12" cy="12" r="1.5"></circle><circle cx="18" cy="12" r="1.5"></circle></g>`;
const speaker = svg`<path d="M11 5 6 9H3v6h3l5 4z"></path><path d="M15.5 8.5a5 5 0 0 1 0 7M18.5 5.5a9 9 0 0 1 0 13"></path>`;
const alert = svg`<path d="M12 3 2 20h20z"></path><path d="M12 10v4M12 17v.01"></path>`;

/** The icon shown on the button for a state; `muted` swaps the listening icons. */
export function iconFor(state: HydraVoiceState, muted: boolean): SVGTemplateResult {
  switch (state) {
    case 'idle':
      return mic;
    case 'connecting':
      return spinner;
    case 'thinking':
      return dots;
    case 'speaking':
      return speaker;
    case 'error':
      return alert;
    case 'listening':
    case 'user-speaking':
      return muted ? micOff : stop;
  }
}
