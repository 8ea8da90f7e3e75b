// <hydra-voice>: a one-tag, full-duplex voice agent on Smallest AI's Hydra.
// This class owns the public API (attributes, properties, methods, events) and the UI
// state; view.ts draws it; ConversationController does the plumbing between the session
// client and the audio engine; history.ts records the conversation for the timeline.
import { LitElement, type PropertyValues } from 'lit';
import { DEFAULT_MODEL, checkVoice } from '../protocol/voices.ts';
import type { Model, SessionConfig, Tool } from '../protocol/schemas.ts';
import type { TokenProvider } from '../session/token.ts';
import { ConversationController, type ConversationSink, type HydraVoiceDebugStats } from './conversation-controller.ts';
import { checkTools, readDeclaredTools } from './declared-tools.ts';
import { listDevices, type DeviceLists } from './devices.ts';
import { fire, type HydraErrorDetail, type HydraVoiceEventMap, type HydraVoiceState } from './events.ts';
import { clock, duration } from './format.ts';
import { ConversationHistory, type HydraHistoryEntry } from './history.ts';
import { builtInStrings, followLanguage, languageOf, unfollowLanguage } from './language.ts';
import type { HydraVoiceStrings } from './strings.ts';
import { styles } from './styles.ts';
import { render, type ViewModel } from './view.ts';
import { visitorMessage, visitorNotice } from './visitor-messages.ts';

/**
 * A realtime, full-duplex voice agent: one tag, configured by attributes, driven by events.
 *
 * @tagname hydra-voice
 *
 * @attr {string} token-endpoint - URL the element POSTs to (same-origin credentials) for `{"token", "url"?}` before connecting.
 * @attr {string} agent - A server-held agent (persona, voice and tools kept on the server): the token request POSTs `{"agent": "<id>"}`.
 * @attr {string} url - WebSocket base URL when the token answer has none. Default: Hydra's `wss://api.smallest.ai/waves/v1/s2s`.
 * @attr {string} model - `hydra-v1.1` (default), `hydra-v1.0`, or the deprecated `hydra`.
 * @attr {string} voice - A voice of the model's roster; an unknown voice is a `hydra-error` (`invalid_config`), never a silent default.
 * @attr {string} persona - The session instructions (who the agent is, what it may do).
 * @attr {boolean} speaks-first - The agent greets the user before they speak (`generate_initial_response`).
 * @attr {boolean} muted - Mutes the microphone; the session stays alive (silence is streamed). Reflected.
 * @attr {string} state - Read-only, reflected: `idle`, `connecting`, `listening`, `user-speaking`, `thinking`, `speaking`, `error`.
 * @attr {string} worklet-url - Same-origin URL of `hydra-voice-worklets.js`, for pages whose CSP forbids blob: and data: worklets.
 * @attr {string} worker-url - Same-origin URL of `hydra-voice-worker.js`, for pages whose CSP forbids blob: workers. Without a worker the conversation runs on the page's main thread.
 * @attr {number} tool-timeout - Milliseconds a tool call may go unanswered before the model gets an error output. Default 15000.
 * @attr {boolean} wire-log - Fire `hydra-frame` for every frame on the wire (audio payloads elided). For debugging.
 * @attr {boolean} compact - Only the button; the status is for screen readers and an error shows as a tooltip.
 * @attr {string} layout - `inline` (default): the control in the page's flow. `floating`: a launcher fixed to a corner that opens a panel.
 * @attr {string} position - Corner of the floating launcher: `bottom-right` (default), `bottom-left`, `top-right`, `top-left`.
 * @attr {boolean} open - The floating panel is open. Reflected.
 * @attr {boolean} timeline - Show the conversation timeline in the inline layout (the floating panel always shows it).
 * @attr {string} mode - `conversation` (default, open mic) or `push-to-talk`: during a call the button (or Space on it) is held to talk; otherwise silence is streamed.
 * @attr {string} lang - Language of the built-in strings (en, es, fr, de, pt, hi, ja, zh); the document's `lang` when unset.
 * @attr {string} mic-device - `deviceId` of the preferred microphone; the system default when unset or unplugged.
 * @attr {string} output-device - `deviceId` of the speaker, where the browser can choose one (AudioContext.setSinkId).
 * @attr {number} volume - Output volume, 0…1. Default 1.
 * @attr {boolean} speaker-muted - Mutes the agent's voice (the session continues). Reflected.
 *
 * @fires {CustomEvent<{state: string}>} hydra-state - The state changed.
 * @fires {CustomEvent<{sessionId: string, session: object}>} hydra-session - Hydra applied the configuration (`session.configured`).
 * @fires {CustomEvent<{itemId: string, audioStartMs: number}>} hydra-turn-start - The user started speaking.
 * @fires {CustomEvent<{itemId: string, audioEndMs: number}>} hydra-turn-end - The user stopped speaking.
 * @fires {CustomEvent<{responseId: string}>} hydra-response-start - The agent started a response.
 * @fires {CustomEvent<{responseId: string, status: string, reason?: string}>} hydra-response-end - Hydra finished the response (`completed`; `cancelled` + `interrupted` on barge-in, + `connection_lost` when the socket dropped mid-response; …). Its audio may still be playing: see `hydra-playback-end`.
 * @fires {CustomEvent<{responseId: string, interrupted: boolean, durationMs: number}>} hydra-playback-end - The response's audio left the speakers after `durationMs` of it played: its last sample was played (`interrupted: false`) or it was cut off (barge-in, `cancelResponse()`, connection lost). Only for responses that had audio; the state turns from `speaking` at the same time.
 * @fires {CustomEvent<{attempt: number, delayMs: number, reason: string}>} hydra-reconnecting - The connection is being replaced: attempt `attempt` starts in `delayMs` (reason `dropped`, `closed`, `server_full`, `never_opened`, `internal_error`, `handshake_timeout` or `token_failed`).
 * @fires {CustomEvent<{callId: string, name: string, arguments: object, respond: Function}>} hydra-tool-call - The model calls a tool: answer with `event.detail.respond(valueOrPromise)`. Cancelable: `preventDefault()` declines the call.
 * @fires {CustomEvent<{code: string, message: string, fatal: boolean}>} hydra-error - A server error, network loss, mic denial, token failure or bad configuration, with the developer's detail (visitors see a short message).
 * @fires {CustomEvent<{direction: string, frame: object}>} hydra-frame - A frame on the wire (only with `wire-log`).
 * @fires {CustomEvent<{history: object[]}>} hydra-history - The `history` changed (an entry was added or completed).
 *
 * @csspart button - The round start/stop button (a real `<button>`); the talk button in push-to-talk.
 * @csspart visualizer - The halo behind the button, scaled by the audio level.
 * @csspart status - The status text (also the live region).
 * @csspart error - The visitor's error message.
 * @csspart help - The how-to disclosure shown with some errors (a `<details>`).
 * @csspart retry - The retry button shown with an error.
 * @csspart tooltip - The error shown as a tooltip in `compact`.
 * @csspart controls - The row of call controls.
 * @csspart mute - The microphone mute toggle.
 * @csspart speaker-mute - The speaker mute toggle.
 * @csspart volume - The volume slider (an `<input type="range">`).
 * @csspart settings-toggle - Shows the device pickers (after the microphone was allowed).
 * @csspart settings - The device pickers.
 * @csspart mic-select - The microphone picker (a `<select>`).
 * @csspart speaker-select - The speaker picker, where the browser can choose the output.
 * @csspart end - The End call button (floating panel; push-to-talk).
 * @csspart launcher - The floating launcher button.
 * @csspart panel - The floating panel.
 * @csspart title - The panel's title.
 * @csspart timer - The call timer in the panel.
 * @csspart close - The panel's close button.
 * @csspart timeline - The conversation timeline (an `<ol>`).
 * @csspart entry - A timeline entry; also `user`, `agent` or `tool`.
 *
 * @cssprop [--hydra-accent=#4338ca] - Button colour (dark scheme default #818cf8).
 * @cssprop [--hydra-on-accent] - Icon colour on the button. Default: black or white, whichever contrasts more with the accent.
 * @cssprop [--hydra-fg=#1f2937] - Text colour.
 * @cssprop [--hydra-muted-fg=#4b5563] - Secondary text colour.
 * @cssprop [--hydra-bg=transparent] - Background of the inline element.
 * @cssprop [--hydra-panel-bg=#ffffff] - Background of the floating panel (dark scheme #1f2937).
 * @cssprop [--hydra-error-color=#b91c1c] - Error colour.
 * @cssprop [--hydra-size=56px] - Button diameter (and the launcher's).
 * @cssprop [--hydra-radius=50%] - Button corner radius.
 * @cssprop [--hydra-padding=0] - Padding of the inline element.
 * @cssprop [--hydra-halo-color] - Colour of the level halo.
 * @cssprop [--hydra-font] - Font shorthand for the text.
 * @cssprop [--hydra-focus-ring] - Focus outline colour.
 * @cssprop [--hydra-offset=20px] - Distance of the floating launcher from the viewport's edges.
 * @cssprop --hydra-input-level - Set by the element during a call: microphone loudness, 0…1 in quarter steps, for page CSS on `::part(button)` and `::part(visualizer)`.
 * @cssprop --hydra-output-level - Set by the element during a call: the agent's loudness, 0…1 in quarter steps (same parts).
 */
export class HydraVoiceElement extends LitElement {
  static override styles = styles;

  static override properties = {
    tokenEndpoint: { attribute: 'token-endpoint' },
    agent: {},
    tokenProvider: { attribute: false },
    url: {},
    model: {},
    voice: {},
    persona: {},
    speaksFirst: { type: Boolean, attribute: 'speaks-first' },
    muted: { type: Boolean, reflect: true },
    workletUrl: { attribute: 'worklet-url' },
    workerUrl: { attribute: 'worker-url' },
    toolTimeout: { type: Number, attribute: 'tool-timeout' },
    wireLog: { type: Boolean, attribute: 'wire-log' },
    compact: { type: Boolean, reflect: true },
    layout: { reflect: true },
    position: { reflect: true },
    open: { type: Boolean, reflect: true },
    timeline: { type: Boolean, reflect: true },
    mode: { reflect: true },
    lang: { reflect: true },
    micDevice: { attribute: 'mic-device' },
    outputDevice: { attribute: 'output-device' },
    volume: { type: Number },
    speakerMuted: { type: Boolean, attribute: 'speaker-muted', reflect: true },
    strings: { attribute: false },
    tools: { attribute: false },
    _error: { state: true },
    _notice: { state: true },
    _state: { state: true },
    _held: { state: true },
    _settingsOpen: { state: true },
    _devices: { state: true },
  };

  /** URL the element POSTs to for `{"token","url"?}`. */
  declare tokenEndpoint: string | null | undefined;
  /** A server-held agent's id; the token request names it. */
  declare agent: string | null | undefined;
  /**
   * Gets `{token, url?}` instead of `token-endpoint` (bearer-auth apps, a page's own backend):
   * `async ({agent, signal}) => ({token, url})`. Failures surface as `token_failed`.
   */
  declare tokenProvider: TokenProvider | null | undefined;
  /** WebSocket base URL when the token answer has none. */
  declare url: string | null | undefined;
  /** Hydra model; `hydra-v1.1` when unset. */
  declare model: string | null | undefined;
  /** Voice from the model's roster; Hydra's default when unset. */
  declare voice: string | null | undefined;
  /** Session instructions. */
  declare persona: string | null | undefined;
  /** The agent speaks first. */
  declare speaksFirst: boolean;
  /** Microphone muted (session kept alive). */
  declare muted: boolean;
  /** Same-origin worklet module URL for strict CSPs. */
  declare workletUrl: string | null | undefined;
  /** Same-origin worker script URL for strict CSPs. */
  declare workerUrl: string | null | undefined;
  /** Milliseconds before an unanswered tool call gets an error output. */
  declare toolTimeout: number | null | undefined;
  /** Fire `hydra-frame` events for a wire log. */
  declare wireLog: boolean;
  /** Only the button: the status is for screen readers, an error shows as a tooltip. */
  declare compact: boolean;
  /** `inline` (default) or `floating` (a launcher in a corner that opens a panel). */
  declare layout: 'inline' | 'floating' | null | undefined;
  /** Corner of the floating launcher: `bottom-right` (default), `bottom-left`, `top-right`, `top-left`. */
  declare position: string | null | undefined;
  /** The floating panel is open. */
  declare open: boolean;
  /** Show the timeline in the inline layout. */
  declare timeline: boolean;
  /** `conversation` (default) or `push-to-talk`. */
  declare mode: 'conversation' | 'push-to-talk' | null | undefined;
  /** Language of the built-in strings; the document's when unset. */
  declare lang: string;
  /** Preferred microphone (`deviceId`); the system default when unset. */
  declare micDevice: string | null | undefined;
  /** Speaker (`deviceId`), where the browser can route audio (AudioContext.setSinkId). */
  declare outputDevice: string | null | undefined;
  /** Output volume 0…1 (default 1). */
  declare volume: number | null | undefined;
  /** The agent's voice is muted. */
  declare speakerMuted: boolean;
  /** Replacements for any visible string or accessible label (keys: see HydraVoiceStrings). */
  declare strings: Partial<HydraVoiceStrings> | undefined;
  /** Hydra tool definitions. Falls back to a `<script type="application/json" data-tools>` child. */
  declare tools: Tool[] | undefined;
  declare private _error: HydraErrorDetail | undefined;
  /** What to tell the visitor while the element recovers (a reconnect, a silent mic). */
  declare private _notice: keyof HydraVoiceStrings | undefined;
  declare private _state: HydraVoiceState;
  /** Push-to-talk: the button is held. */
  declare private _held: boolean;
  declare private _settingsOpen: boolean;
  declare private _devices: DeviceLists;

  readonly #conversation: ConversationController;
  readonly #record = new ConversationHistory(() => {
    this.#historyChanged = true;
    this.requestUpdate();
    fire(this, 'hydra-history', { history: this.#record.entries });
  });
  /** When the first session of this call was configured (Date.now()). */
  #callStart: number | undefined;
  #timerId: ReturnType<typeof setTimeout> | undefined;
  /** The timer's seconds strip and its animation (#tickTimer). */
  #strip: Element | null = null;
  #seconds: Animation | undefined;
  /** The timer's accessible name (before the time) and minutes in the last render. */
  #callTime = '';
  #minutes = '';
  /** Level step shown by the halo. */
  #level = -1;
  readonly #onDeviceChange = () => void this.#refreshDevices();
  /** The timeline scrolls to its newest entry after the next render. */
  #historyChanged = false;

  constructor() {
    super();
    this.speaksFirst = false;
    this.muted = false;
    this.wireLog = false;
    this.compact = false;
    this.open = false;
    this.timeline = false;
    this.speakerMuted = false;
    this._state = 'idle';
    this._held = false;
    this._settingsOpen = false;
    this._devices = { inputs: [], outputs: [] };
    const record = this.#record;
    const sink: ConversationSink = {
      fire: (type, detail, cancelable) => fire(this, type, detail, cancelable),
      stateChanged: (state) => {
        this._state = state;
        if (state !== 'error') this._error = undefined;
        this.setAttribute('state', state);
        fire(this, 'hydra-state', { state });
      },
      levelsChanged: (input, output) => this.#showLevels(input, output),
      timeline: record,
    };
    this.#conversation = new ConversationController(this, sink);
    const on = <K extends keyof HydraVoiceEventMap>(type: K, listener: (detail: HydraVoiceEventMap[K]['detail']) => void) =>
      this.addEventListener(type, (e) => listener(e.detail));
    on('hydra-error', (d) => {
      // Developers get the whole story here and in hydra-error; visitors a short line.
      console.warn(`<hydra-voice> ${d.code}${d.fatal ? ' (fatal)' : ''}: ${d.message}`);
      if (d.fatal) {
        this._error = d;
        this.open ||= this.#floating; // a closed panel would hide the error (and its live region)
      } else this._notice = visitorNotice(d.code) ?? this._notice;
    });
    on('hydra-state', (d) => {
      // A reconnect's notice stays while connecting; any other notice until the state moves.
      if (d.state !== 'connecting' || this._notice === 'noticeMicSilent') this._notice = undefined;
    });
    on('hydra-session', () => {
      this.#callStart ??= Date.now();
      void this.#refreshDevices(); // the microphone is allowed now: devices have labels
    });
    on('hydra-turn-start', (d) => record.turnStarted(d.itemId, d.audioStartMs));
    on('hydra-turn-end', (d) => record.turnEnded(d.itemId, d.audioEndMs));
    on('hydra-response-end', (d) => record.replyEnded(d.responseId, d.status, d.reason));
    on('hydra-playback-end', (d) => record.replyPlayed(d.responseId, d.durationMs));
    on('hydra-tool-call', (d) => record.toolCalled(d.callId, d.name, d.arguments, this.toolTimeout ?? 15_000));
  }

  /** The conversation state (read-only; reflected to the `state` attribute). */
  get state(): HydraVoiceState {
    return this._state;
  }

  /**
   * The conversation so far (the last one once it ended; cleared by `start()`; its last 1000
   * entries): user turns, agent replies and tool calls in order, for pages that render their
   * own. A frozen array of frozen entries; `hydra-history` fires whenever it changes.
   */
  get history(): readonly HydraHistoryEntry[] {
    return this.#record.entries;
  }

  /**
   * Diagnostics for tests, benchmarks and bug reports: a snapshot of the running
   * conversation's counters (dropped mic chunks, capture losses, playback underruns), or
   * `undefined` when idle. Read-only; the shape may change between minor versions.
   */
  get debugStats(): HydraVoiceDebugStats | undefined {
    return this.#conversation.debugStats();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.hasAttribute('state')) this.setAttribute('state', this._state);
    followLanguage(this);
    navigator.mediaDevices?.addEventListener?.('devicechange', this.#onDeviceChange);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    unfollowLanguage(this);
    navigator.mediaDevices?.removeEventListener?.('devicechange', this.#onDeviceChange);
    this.#tickTimer(false);
  }

  /**
   * Starts a conversation. Call it from a user gesture (a click): browsers only allow
   * audio that a gesture started. Resolves once the session is live, or after an error
   * was reported as `hydra-error`.
   */
  async start(): Promise<void> {
    if (this.#conversation.active) return;
    this._error = undefined;
    this._notice = undefined;
    this._held = false;
    this.#callStart = undefined;
    this.#record.clear();
    const model = this.model || DEFAULT_MODEL;
    const voice = this.voice || undefined;
    const voiceCheck = checkVoice(model, voice);
    if (!voiceCheck.ok) return this.#reportConfig(voiceCheck.message, true);
    const tools = this.#resolveTools();
    if (!tools.ok) return this.#reportConfig(tools.message, true);
    const config: SessionConfig = {};
    if (this.persona) config.instructions = this.persona;
    if (voice) config.voice = voice;
    if (tools.tools.length > 0) config.tools = tools.tools;
    if (this.speaksFirst) config.generate_initial_response = true;
    // The timeline's durations go through Intl, whose first use in a page costs 20–60 ms (ICU
    // loads its data; a second unit is then ~0.1 ms): take that in a task of its own while
    // connecting, not when the first entry completes mid-conversation.
    if (this.#floating || this.timeline) setTimeout(duration, 0, 1e3, this.#text().lang);
    await this.#conversation.start({
      tokenEndpoint: this.tokenEndpoint || undefined,
      tokenProvider: typeof this.tokenProvider === 'function' ? this.tokenProvider : undefined,
      agent: this.agent || undefined,
      url: this.url || undefined,
      model: model as Model,
      config,
      workletUrl: this.workletUrl || undefined,
      workerUrl: this.workerUrl || undefined,
      toolTimeoutMs: this.toolTimeout ?? undefined,
      muted: this.#micMuted(true),
      wireLog: this.wireLog,
      micDeviceId: this.micDevice || undefined,
      outputDeviceId: this.outputDevice || undefined,
      volume: this.#outputVolume(),
    });
  }

  /** Ends the conversation and releases the microphone. */
  stop(): void {
    this.#conversation.stop();
    this._held = false;
  }

  /** Stops the agent's current response (its audio stops at once). */
  cancelResponse(): void {
    this.#conversation.cancelResponse();
  }

  /** Starts a conversation when idle, ends it otherwise (what the button does). */
  toggle(): void {
    if (this.#conversation.active) this.stop();
    else void this.start();
  }

  protected override updated(changed: PropertyValues<this>): void {
    const c = this.#conversation;
    const has = (key: string) => (changed as Map<string, unknown>).has(key);
    // The controller ignores all of these between conversations; start() passes them on.
    if (has('muted') || has('mode') || has('_held')) c.setMuted(this.#micMuted());
    if (has('volume') || has('speakerMuted')) c.setVolume(this.#outputVolume());
    if (has('micDevice')) c.setMicDevice(this.micDevice || undefined);
    if (has('outputDevice')) c.setOutputDevice(this.outputDevice || undefined);
    if (changed.has('tools') && c.active) {
      const tools = this.#resolveTools();
      if (tools.ok) c.updateTools(tools.tools);
      else this.#reportConfig(tools.message, false);
    }
    this.#tickTimer(this.#floating && this.open && c.active && this.#callStart !== undefined);
    if (this.#historyChanged) {
      this.#historyChanged = false;
      const timeline = this.#shadowPart('timeline');
      if (timeline) timeline.scrollTop = timeline.scrollHeight;
    }
  }

  get #floating(): boolean {
    return this.layout === 'floating';
  }

  get #pushToTalk(): boolean {
    return this.mode === 'push-to-talk';
  }

  /** The microphone streams silence: muted, or push-to-talk without the button held. */
  #micMuted(starting = false): boolean {
    return this.muted || (this.#pushToTalk && (starting || !this._held));
  }

  #outputVolume(): number {
    const v = this.volume ?? 1;
    return this.speakerMuted ? 0 : Math.min(1, Math.max(0, Number.isFinite(v) ? v : 1));
  }

  #resolveTools(): { ok: true; tools: Tool[] } | { ok: false; message: string } {
    if (this.tools !== undefined) return checkTools(this.tools);
    return readDeclaredTools(this) ?? { ok: true, tools: [] };
  }

  #reportConfig(message: string, fatal: boolean): void {
    const detail: HydraErrorDetail = { code: 'invalid_config', message, fatal };
    if (fatal) {
      this._state = 'error';
      this.setAttribute('state', 'error');
      fire(this, 'hydra-state', { state: 'error' });
    }
    fire(this, 'hydra-error', detail);
  }

  /** The strings in the element's language, with the page's replacements. */
  #text(): { s: HydraVoiceStrings; lang: string } {
    const lang = this.lang || document.documentElement.lang || 'en';
    return { s: { ...builtInStrings(languageOf(lang)), ...this.strings }, lang };
  }

  override render() {
    const { s, lang } = this.#text();
    this.#callTime = s.callTime;
    const state = this._state;
    const active = this.#conversation.active;
    const error = state === 'error' ? this._error : undefined;
    const visitor = error && visitorMessage(error.code);
    const muted = this.muted;
    const status =
      error ? ''
      : this._notice && active ? s[this._notice]
      : state === 'listening' ? (muted ? s.statusMuted : this.#pushToTalk && !this._held ? s.talk : s.statusListening)
      : state === 'speaking' && muted ? `${s.statusSpeaking} · ${s.statusMuted}`
      : s[STATUS_KEYS[state]];
    const model: ViewModel = {
      s,
      lang,
      state,
      active,
      status,
      error: visitor && { message: s[visitor.message], help: visitor.help && s[visitor.help] },
      compact: this.compact && !this.#floating,
      floating: this.#floating,
      open: this.open,
      muted,
      speakerMuted: this.speakerMuted,
      volume: this.volume ?? 1,
      talkButton: this.#pushToTalk && active,
      held: this._held,
      settingsOpen: this._settingsOpen,
      inputs: this._devices.inputs,
      outputs: this._devices.outputs,
      micDevice: this.micDevice ?? '',
      outputDevice: this.outputDevice ?? '',
      timer: this.#floating && active ? this.#clock() : undefined,
      timeline: this.#floating || this.timeline ? this.#record.entries : undefined,
      on: this.#handlers,
    };
    this.#minutes = model.timer?.slice(0, -2) ?? '';
    return render(model);
  }

  /** Event handlers of the view (created once: Lit re-binds nothing when they stay the same). */
  readonly #handlers: ViewModel['on'] = {
    button: () => {
      // In push-to-talk the button talks while held; End call ends the conversation.
      if (!(this.#pushToTalk && this.#conversation.active)) this.toggle();
    },
    hold: (e) => {
      if (!this.#pushToTalk || !this.#conversation.active) return;
      if (e instanceof KeyboardEvent) {
        if (e.key !== ' ') return;
        e.preventDefault(); // no click on release
        if (e.repeat) return;
      } else if (e instanceof PointerEvent) {
        if (e.button !== 0) return;
        // Release outside the button still ends the hold. Firefox throws NotFoundError for a
        // pointer that is not active (synthesized events): capture is a nicety, not required.
        try {
          (e.currentTarget as Element).setPointerCapture(e.pointerId);
        } catch {}
      }
      this._held = true;
    },
    release: (e) => {
      if (e instanceof KeyboardEvent) {
        if (e.key !== ' ') return;
        if (this.#pushToTalk) e.preventDefault();
      }
      this._held = false;
    },
    retry: () => this.toggle(),
    mute: () => (this.muted = !this.muted),
    speaker: () => (this.speakerMuted = !this.speakerMuted),
    volume: (e) => {
      this.volume = Number((e.target as HTMLInputElement).value);
      if (this.volume > 0) this.speakerMuted = false;
    },
    settings: () => {
      this._settingsOpen = !this._settingsOpen;
      if (this._settingsOpen) void this.#refreshDevices();
    },
    micDevice: (e) => (this.micDevice = (e.target as HTMLSelectElement).value),
    outputDevice: (e) => (this.outputDevice = (e.target as HTMLSelectElement).value),
    end: () => this.stop(),
    launcher: () => (this.open ? this.#closePanel() : this.#openPanel()),
    close: () => this.#closePanel(),
    panelKey: (e) => {
      if (e.key !== 'Escape') return;
      e.stopPropagation();
      this.#closePanel();
    },
  };

  /** Opens the floating panel and moves focus into it. */
  async #openPanel(): Promise<void> {
    this.open = true;
    await this.updateComplete;
    this.#shadowPart('button')?.focus();
  }

  /** Closes the floating panel (the conversation goes on) and gives focus back to the launcher. */
  async #closePanel(): Promise<void> {
    this.open = false;
    await this.updateComplete;
    this.#shadowPart('launcher')?.focus();
  }

  #shadowPart(name: string): HTMLElement | null {
    return this.renderRoot.querySelector(`[part~="${name}"]`);
  }

  async #refreshDevices(): Promise<void> {
    this._devices = await listDevices();
  }

  /** The call time (m:ss), once the first session of this call was configured. */
  #clock(): string | undefined {
    return this.#callStart === undefined ? undefined : clock(Date.now() - this.#callStart);
  }

  /**
   * The call timer, while someone can see it. Its seconds are a strip of 00…59 that a
   * steps() transform animation moves, which the compositor runs: no main-thread frame a
   * second. Once a second the main thread only updates the accessible name (no style
   * depends on it: no frame); a new minute renders the element once.
   */
  #tickTimer(on: boolean): void {
    const strip = on ? this.renderRoot.querySelector('.sec > span') : null;
    if (strip !== this.#strip) {
      this.#seconds?.cancel();
      this.#seconds = strip?.animate({ transform: ['none', 'translateY(-100%)'] }, { duration: 60_000, iterations: Infinity, easing: 'steps(60)' });
      if (this.#seconds) this.#seconds.currentTime = (Date.now() - this.#callStart!) % 60_000;
      this.#strip = strip;
    }
    if (on === (this.#timerId !== undefined)) return;
    clearTimeout(this.#timerId);
    this.#timerId = undefined;
    const tick = () => {
      const time = this.#clock()!;
      this.#shadowPart('timer')?.setAttribute('aria-label', `${this.#callTime} ${time}`);
      if (!time.startsWith(this.#minutes)) this.requestUpdate(); // a new minute: one render
      // Just after the second turns, when the strip has moved.
      this.#timerId = setTimeout(tick, 1020 - ((Date.now() - this.#callStart!) % 1000));
    };
    if (on) tick();
  }

  /**
   * Levels (loudness in quarter steps) arrive from the engine when a step changed, at most
   * 4 times a second. The halo follows the louder one by a transform on its own layer: each
   * change costs one cheap frame and nothing is redrawn in between (the budget is 0.5 s of
   * main thread per minute of conversation, the whole page included).
   */
  #showLevels(input: number, output: number): void {
    const heard = this.#micMuted() ? 0 : input;
    const said = output;
    const step = Math.max(heard, said);
    if (step === this.#level) return;
    this.#level = step;
    const halo = this.#shadowPart('visualizer');
    if (!halo) return;
    halo.style.transform = `scale(${1 + step * 0.3})`;
    // For page CSS on ::part(button) and ::part(visualizer): set on their wrapper, not on the
    // host, so a change restyles three elements instead of the whole panel and timeline.
    const wrapper = halo.parentElement!.style;
    wrapper.setProperty('--hydra-input-level', String(heard));
    wrapper.setProperty('--hydra-output-level', String(said));
  }

  // Typed addEventListener for TypeScript users of the element class.
  declare addEventListener: {
    <K extends keyof HydraVoiceEventMap>(type: K, listener: (this: HydraVoiceElement, ev: HydraVoiceEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
    <K extends keyof HTMLElementEventMap>(type: K, listener: (this: HydraVoiceElement, ev: HTMLElementEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
    (type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  };
}

const STATUS_KEYS = {
  idle: 'statusIdle',
  connecting: 'statusConnecting',
  listening: 'statusListening',
  'user-speaking': 'statusHearing',
  thinking: 'statusThinking',
  speaking: 'statusSpeaking',
  error: 'errorGeneric',
} as const satisfies Record<HydraVoiceState, keyof HydraVoiceStrings>;

declare global {
  interface HTMLElementTagNameMap {
    'hydra-voice': HydraVoiceElement;
  }
  // The events bubble and are composed, so pages can listen on document or window too.
  interface HTMLElementEventMap extends HydraVoiceEventMap {}
  interface DocumentEventMap extends HydraVoiceEventMap {}
  interface WindowEventMap extends HydraVoiceEventMap {}
}
