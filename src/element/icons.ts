// Icons drawn as inline SVG (no icon font, no extra request), 24×24 strokes.
import { html, svg, type SVGTemplateResult } from 'lit';
import type { HydraVoiceState } from './events.ts';

export const mic = svg`<rect x="9" y="3" width="6" height="11" rx="3"/><path d="M5 11a7 7 0 0 0 14 0M12 18v3"/>`;
export const micOff = svg`${mic}<path d="M3 3l18 18"/>`;
const stop = svg`<rect x="7" y="7" width="10" height="10" rx="2"/>`;
// The spinner and the dots animate in steps (see styles.ts): no frame in between costs anything.
const spinner = svg`<path d="M12 3a9 9 0 1 0 9 9"/>`;
const dots = svg`<circle cx="6" cy="12" r="1.5"/><circle cx="12" cy="12" r="1.5"/><circle cx="18" cy="12" r="1.5"/>`;
const speakerBody = svg`<path d="M11 5 6 9H3v6h3l5 4z"/>`;
export const speaker = svg`${speakerBody}<path d="M15.5 8.5a5 5 0 0 1 0 7M18.5 5.5a9 9 0 0 1 0 13"/>`;
export const speakerOff = svg`${speakerBody}<path d="m16 9 5 6m0-6-5 6"/>`;
const alert = svg`<path d="M12 3 2 20h20z"/><path d="M12 10v4M12 17v.01"/>`;
export const close = svg`<path d="M6 6l12 12M18 6 6 18"/>`;
export const chevronDown = svg`<path d="m6 9 6 6 6-6"/>`;
export const sliders = svg`<path d="M4 7h10M18 7h2M4 17h2M10 17h10"/><circle cx="16" cy="7" r="2"/><circle cx="8" cy="17" r="2"/>`;
export const hangUp = svg`<path d="M3 14.5c5-5 13-5 18 0l-2.5 2.5-3-2v-2.5a10 10 0 0 0-7 0V15l-3 2z"/>`;

const STATE_ICONS: Partial<Record<HydraVoiceState, SVGTemplateResult>> = { idle: mic, connecting: spinner, thinking: dots, speaking: speaker, error: alert };

/** The icon for a state; listening (and hearing) shows stop, or mic-off when muted. */
export const iconFor = (state: HydraVoiceState, muted: boolean): SVGTemplateResult => STATE_ICONS[state] ?? (muted ? micOff : stop);

/** An icon in an svg element (the class names the animation, if any). */
export const icon = (body: SVGTemplateResult, className = '') =>
  html`<svg viewBox="0 0 24 24" aria-hidden="true" class=${className}>${body}</svg>`;
