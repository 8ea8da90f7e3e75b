// The element's markup for both layouts, as plain functions of a view model: the element
// (hydra-voice.ts) decides what is shown, these decide how. Every piece has a part name.
//
//   inline:   [visualizer + button] [status, error, controls, settings]   [timeline]
//   floating: [launcher] → panel: title, timer, close / the same core / timeline
// Buttons carry no type="button": in a shadow root they belong to no form, so none submits.
import { html, nothing, type TemplateResult } from 'lit';
import type { HydraVoiceState } from './events.ts';
import { duration } from './format.ts';
import type { HydraHistoryEntry } from './history.ts';
import { chevronDown, close, hangUp, icon, iconFor, mic, micOff, sliders, speaker, speakerOff } from './icons.ts';
import type { HydraVoiceStrings } from './strings.ts';

export interface ViewModel {
  s: HydraVoiceStrings;
  lang: string;
  state: HydraVoiceState;
  /** A conversation is running (connecting or live). */
  active: boolean;
  status: string;
  error?: { message: string; help?: string | undefined } | undefined;
  compact: boolean;
  floating: boolean;
  open: boolean;
  muted: boolean;
  speakerMuted: boolean;
  volume: number;
  /** Push-to-talk during a conversation: the main button is held to talk. */
  talkButton: boolean;
  held: boolean;
  settingsOpen: boolean;
  inputs: MediaDeviceInfo[];
  outputs: MediaDeviceInfo[];
  micDevice: string;
  outputDevice: string;
  /** The call time (format.ts clock()), or undefined for no timer. */
  timer: string | undefined;
  /** Entries to show, or undefined for no timeline. */
  timeline: readonly HydraHistoryEntry[] | undefined;
  on: Handlers;
}

export interface Handlers {
  button(e: Event): void;
  hold(e: Event): void;
  release(e: Event): void;
  retry(): void;
  mute(): void;
  speaker(): void;
  volume(e: Event): void;
  settings(): void;
  micDevice(e: Event): void;
  outputDevice(e: Event): void;
  end(): void;
  launcher(): void;
  close(): void;
  panelKey(e: KeyboardEvent): void;
}

/** At most this many timeline entries are in the DOM (the `history` property keeps all). */
const TIMELINE_ROWS = 50;

export function render(m: ViewModel): TemplateResult {
  if (!m.floating) return html`${core(m)}${timeline(m)}`;
  const s = m.s;
  return html`
    <button part="launcher" aria-expanded=${m.open} aria-controls="panel" aria-label=${s.title} @click=${m.on.launcher}>
      ${icon(m.open ? chevronDown : iconFor(m.state, m.muted), iconClass(m.state, m.open))}
    </button>
    <div part="panel" id="panel" role="dialog" aria-labelledby="title" ?hidden=${!m.open} @keydown=${m.on.panelKey}>
      <div class="head">
        <span part="title" id="title">${s.title}</span>
        ${m.timer === undefined ? nothing : timer(s.callTime, m.timer)}
        <button part="close" class="icon" aria-label=${s.labelClose} title=${s.labelClose} @click=${m.on.close}>${icon(close)}</button>
      </div>
      ${core(m)}${timeline(m)}
    </div>
  `;
}

/** 00…59, one per line: the strip the seconds animation moves (hydra-voice.ts #tickTimer). */
const SECONDS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0')).join('\n');

/**
 * The call timer: minutes as text, seconds as a clipped strip that an animation on the
 * compositor moves (no main-thread frame per second); the accessible name says the time.
 */
function timer(label: string, time: string): TemplateResult {
  return html`<span part="timer" role="timer" aria-label="${label} ${time}"
    ><span aria-hidden="true">${time.slice(0, -2)}<span class="sec"><span>${SECONDS}</span></span></span
  ></span>`;
}

function iconClass(state: HydraVoiceState, open = false): string {
  return open ? '' : state === 'connecting' ? 'spin' : state === 'thinking' ? 'pulse' : '';
}

/** The button with its level halo, the status line, errors and the call's controls. */
function core(m: ViewModel): TemplateResult {
  const s = m.s;
  const tip = m.compact && m.error !== undefined;
  // compact hides the controls too (the element is only its button).
  const label = m.talkButton ? s.talk : m.active ? s.labelEnd : s.labelStart;
  return html`
    <div class="control">
      <span part="visualizer" class="halo" aria-hidden="true"></span>
      <button
        part="button"
        class="main"
        aria-pressed=${m.talkButton ? m.held : m.active}
        aria-label=${label}
        aria-describedby=${tip ? 'tip' : 'status'}
        @click=${m.on.button}
        @pointerdown=${m.on.hold}
        @pointerup=${m.on.release}
        @pointercancel=${m.on.release}
        @lostpointercapture=${m.on.release}
        @keydown=${m.on.hold}
        @keyup=${m.on.release}
        @blur=${m.on.release}
      >
        ${icon(iconFor(m.state, m.muted), iconClass(m.state))}
      </button>
      ${tip ? html`<span part="tooltip" role="tooltip" id="tip">${m.error!.message}</span>` : nothing}
    </div>
    <div class="text">
      <span part="status" id="status" role="status" aria-live="polite">${m.status}</span>
      ${m.error ? errorLines(m) : nothing}
      ${m.active && !m.compact ? controls(m) : nothing}
    </div>
  `;
}

function errorLines(m: ViewModel): TemplateResult {
  const { s, error } = m;
  // compact: the text is for screen readers only, so nothing in it may take focus.
  return html`
    <span part="error" role="alert">${error!.message}</span>
    ${m.compact
      ? nothing
      : html`${error!.help ? html`<details part="help"><summary>${s.help}</summary>${error!.help}</details>` : nothing}
          <button part="retry" @click=${m.on.retry}>${s.retry}</button>`}
  `;
}

function controls(m: ViewModel): TemplateResult {
  const s = m.s;
  const pickers = m.inputs.length > 0 || m.outputs.length > 0;
  return html`
    <div part="controls" class="row">
      ${toggle('mute', s.mute, m.muted, m.muted ? micOff : mic, m.on.mute)}
      ${toggle('speaker-mute', s.muteSpeaker, m.speakerMuted, m.speakerMuted ? speakerOff : speaker, m.on.speaker)}
      <input part="volume" type="range" min="0" max="1" step="0.05" aria-label=${s.volume} .value=${m.volume} @input=${m.on.volume} />
      ${pickers
        ? html`<button part="settings-toggle" class="icon" aria-label=${s.settings} title=${s.settings} aria-expanded=${m.settingsOpen} aria-controls="settings" @click=${m.on.settings}>${icon(sliders)}</button>`
        : nothing}
      ${m.floating || m.talkButton ? html`<button part="end" @click=${m.on.end}>${icon(hangUp)}${s.endCall}</button>` : nothing}
    </div>
    ${pickers ? settings(m) : nothing}
  `;
}

function toggle(part: string, label: string, pressed: boolean, body: Parameters<typeof icon>[0], onClick: () => void): TemplateResult {
  return html`<button part=${part} class="icon" aria-label=${label} title=${label} aria-pressed=${pressed} @click=${onClick}>${icon(body)}</button>`;
}

function settings(m: ViewModel): TemplateResult {
  const s = m.s;
  const picker = (part: string, label: string, list: MediaDeviceInfo[], value: string, onChange: (e: Event) => void) =>
    list.length === 0
      ? nothing
      : html`<label>${label}<select part=${part} @change=${onChange}>
          <option value="" ?selected=${value === ''}>${s.systemDefault}</option>
          ${list.map((d) => html`<option value=${d.deviceId} ?selected=${d.deviceId === value}>${d.label}</option>`)}
        </select></label>`;
  return html`<div part="settings" id="settings" ?hidden=${!m.settingsOpen}>
    ${picker('mic-select', s.microphone, m.inputs, m.micDevice, m.on.micDevice)}
    ${picker('speaker-select', s.speaker, m.outputs, m.outputDevice, m.on.outputDevice)}
  </div>`;
}

function timeline(m: ViewModel): TemplateResult | typeof nothing {
  const entries = m.timeline;
  if (!entries || entries.length === 0) return nothing;
  return html`<ol part="timeline" aria-label=${m.s.timeline}>
    ${entries.slice(-TIMELINE_ROWS).map((e) => entry(e, m))}
  </ol>`;
}

function entry(e: HydraHistoryEntry, m: ViewModel): TemplateResult {
  const { s, lang } = m;
  const time = (ms: number | undefined) => (ms === undefined ? '…' : duration(ms, lang));
  switch (e.kind) {
    case 'user':
      return html`<li part="entry user"><b>${s.you}</b><span>${time(e.durationMs)}</span></li>`;
    case 'agent':
      return html`<li part="entry agent">
        <b>${s.agent}</b><span>${time(e.durationMs)}${e.interrupted ? ` · ${s.interrupted}` : ''}</span>
      </li>`;
    case 'tool': {
      const answer = e.status === 'answered' ? json(e.result) : e.status === 'failed' ? e.error : undefined;
      return html`<li part="entry tool">
        <b>${e.name}</b><span>${e.status === 'unanswered' ? s.toolNoAnswer : time(e.tookMs)}</span>
        <code>${json(e.arguments)}</code>
        ${answer === undefined ? nothing : html`<code class=${e.status}>→ ${answer}</code>`}
      </li>`;
    }
  }
}

/** Compact JSON for a tool card, cut at 160 characters. */
function json(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' ? value : (JSON.stringify(value) ?? 'null');
  } catch {
    text = String(value);
  }
  return text.length > 160 ? `${text.slice(0, 159)}…` : text;
}
