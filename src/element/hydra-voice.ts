// <hydra-voice>: a one-tag, full-duplex voice agent on Smallest AI's Hydra.
// This class owns the public API (attributes, properties, methods, events) and the UI;
// ConversationController does the plumbing between the session client and the audio engine.
import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { DEFAULT_MODEL, checkVoice } from '../protocol/voices.ts';
import type { Model, SessionConfig, Tool } from '../protocol/schemas.ts';
import type { TokenProvider } from '../session/token.ts';
import { ConversationController, type ConversationSink, type HydraVoiceDebugStats } from './conversation-controller.ts';
import { checkTools, readDeclaredTools } from './declared-tools.ts';
import { fire, type HydraErrorDetail, type HydraVoiceEventMap, type HydraVoiceState } from './events.ts';
import { iconFor } from './icons.ts';
import { styles } from './styles.ts';

const STATUS_TEXT: Record<HydraVoiceState, string> = {
  idle: 'Tap to talk',
  connecting: 'Connecting…',
  listening: 'Listening',
  'user-speaking': 'Hearing you',
  thinking: 'Thinking…',
  speaking: 'Speaking',
  error: 'Something went wrong',
};

/** Status text while reconnecting after a non-fatal error, by error code. */
const RECONNECT_NOTICE: Partial<Record<string, string>> = {
  server_full: 'The voice service is busy. Trying again soon…',
  connection_lost: 'Connection lost. Reconnecting…',
};

const BUTTON_LABEL: Record<HydraVoiceState, string> = {
  idle: 'Start voice conversation',
  connecting: 'Connecting, press to cancel',
  listening: 'End voice conversation',
  'user-speaking': 'End voice conversation',
  thinking: 'End voice conversation',
  speaking: 'End voice conversation',
  error: 'Start voice conversation again',
};

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
 * @attr {boolean} compact - Hide the status text; show only the button.
 *
 * @fires {CustomEvent<{state: string}>} hydra-state - The state changed.
 * @fires {CustomEvent<{sessionId: string, session: object}>} hydra-session - Hydra applied the configuration (`session.configured`).
 * @fires {CustomEvent<{itemId: string, audioStartMs: number}>} hydra-turn-start - The user started speaking.
 * @fires {CustomEvent<{itemId: string, audioEndMs: number}>} hydra-turn-end - The user stopped speaking.
 * @fires {CustomEvent<{responseId: string}>} hydra-response-start - The agent started a response.
 * @fires {CustomEvent<{responseId: string, status: string, reason?: string}>} hydra-response-end - Hydra finished the response (`completed`; `cancelled` + `interrupted` on barge-in, + `connection_lost` when the socket dropped mid-response; …). Its audio may still be playing: see `hydra-playback-end`.
 * @fires {CustomEvent<{responseId: string, interrupted: boolean}>} hydra-playback-end - The response's audio left the speakers: its last sample was played (`interrupted: false`) or it was cut off (barge-in, `cancelResponse()`, connection lost). Only for responses that had audio; the state turns from `speaking` at the same time.
 * @fires {CustomEvent<{attempt: number, delayMs: number, reason: string}>} hydra-reconnecting - The connection is being replaced: attempt `attempt` starts in `delayMs` (reason `dropped`, `closed`, `server_full`, `never_opened`, `internal_error`, `handshake_timeout` or `token_failed`).
 * @fires {CustomEvent<{callId: string, name: string, arguments: object, respond: Function}>} hydra-tool-call - The model calls a tool: answer with `event.detail.respond(valueOrPromise)`. Cancelable: `preventDefault()` declines the call.
 * @fires {CustomEvent<{code: string, message: string, fatal: boolean}>} hydra-error - A server error, network loss, mic denial, token failure or bad configuration.
 * @fires {CustomEvent<{direction: string, frame: object}>} hydra-frame - A frame on the wire (only with `wire-log`).
 *
 * @csspart button - The round start/stop button (a real `<button>`).
 * @csspart visualizer - The halo behind the button, scaled by the audio level.
 * @csspart status - The status text (also the live region).
 * @csspart error - The error message.
 * @csspart retry - The retry button shown with an error.
 * @csspart mute - The mute toggle shown during a conversation.
 *
 * @cssprop [--hydra-accent=#4338ca] - Button colour (dark scheme default #818cf8).
 * @cssprop [--hydra-on-accent=#ffffff] - Icon colour on the button.
 * @cssprop [--hydra-fg=#1f2937] - Text colour.
 * @cssprop [--hydra-muted-fg=#4b5563] - Secondary text colour.
 * @cssprop [--hydra-bg=transparent] - Background of the whole element.
 * @cssprop [--hydra-error-color=#b91c1c] - Error colour.
 * @cssprop [--hydra-size=56px] - Button diameter.
 * @cssprop [--hydra-radius=50%] - Button corner radius.
 * @cssprop [--hydra-halo-color] - Colour of the level halo.
 * @cssprop [--hydra-font] - Font shorthand for the text.
 * @cssprop [--hydra-focus-ring] - Focus outline colour.
 * @cssprop --hydra-input-level - Set by the element: microphone level, 0…1 (use it in your own CSS).
 * @cssprop --hydra-output-level - Set by the element: playback level, 0…1.
 */
export class HydraVoiceElement extends LitElement {
  static override styles = styles;

  static override properties = {
    tokenEndpoint: { type: String, attribute: 'token-endpoint' },
    agent: { type: String },
    tokenProvider: { attribute: false },
    url: { type: String },
    model: { type: String },
    voice: { type: String },
    persona: { type: String },
    speaksFirst: { type: Boolean, attribute: 'speaks-first' },
    muted: { type: Boolean, reflect: true },
    workletUrl: { type: String, attribute: 'worklet-url' },
    workerUrl: { type: String, attribute: 'worker-url' },
    toolTimeout: { type: Number, attribute: 'tool-timeout' },
    wireLog: { type: Boolean, attribute: 'wire-log' },
    tools: { attribute: false },
    _error: { state: true },
    _notice: { state: true },
    _state: { state: true },
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
  /** Hydra tool definitions. Falls back to a `<script type="application/json" data-tools>` child. */
  declare tools: Tool[] | undefined;
  declare private _error: HydraErrorDetail | undefined;
  /** Why a reconnect is taking a while (shown instead of "Connecting…"). */
  declare private _notice: string | undefined;
  declare private _state: HydraVoiceState;

  private readonly conversation: ConversationController;
  /** Level values last written to the CSS properties. */
  private readonly levels: [string, string] = ['', ''];

  constructor() {
    super();
    this.speaksFirst = false;
    this.muted = false;
    this.wireLog = false;
    this._state = 'idle';
    const sink: ConversationSink = {
      fire: (type, detail, cancelable) => fire(this, type, detail, cancelable),
      stateChanged: (state) => {
        this._state = state;
        if (state !== 'error') this._error = undefined;
        this.setAttribute('state', state);
        fire(this, 'hydra-state', { state });
      },
      levelsChanged: (input, output) => {
        // Called ~25 times a second while active. Each write restyles the element and
        // commits a frame, so write only what changed, in 1/100 steps (invisible on the halo).
        const i = input.toFixed(2);
        const o = output.toFixed(2);
        if (i !== this.levels[0]) this.style.setProperty('--hydra-input-level', (this.levels[0] = i));
        if (o !== this.levels[1]) this.style.setProperty('--hydra-output-level', (this.levels[1] = o));
      },
    };
    this.conversation = new ConversationController(this, sink);
    this.addEventListener('hydra-error', (e) => {
      if (e.detail.fatal) this._error = e.detail;
      // A reconnect follows these; tell the user why it is not talking instead of a bare
      // "Connecting…" that can last through several backoff delays. Shown while connecting.
      const notice = RECONNECT_NOTICE[e.detail.code];
      if (!e.detail.fatal && notice) this._notice = notice;
    });
    this.addEventListener('hydra-state', (e) => {
      if (e.detail.state !== 'connecting') this._notice = undefined;
    });
  }

  /** The conversation state (read-only; reflected to the `state` attribute). */
  get state(): HydraVoiceState {
    return this._state;
  }

  /**
   * Diagnostics for tests, benchmarks and bug reports: a snapshot of the running
   * conversation's counters (dropped mic chunks, capture losses, playback underruns), or
   * `undefined` when idle. Read-only; the shape may change between minor versions.
   */
  get debugStats(): HydraVoiceDebugStats | undefined {
    return this.conversation.debugStats();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.hasAttribute('state')) this.setAttribute('state', this._state);
  }

  /**
   * Starts a conversation. Call it from a user gesture (a click): browsers only allow
   * audio that a gesture started. Resolves once the session is live, or after an error
   * was reported as `hydra-error`.
   */
  async start(): Promise<void> {
    if (this.conversation.active) return;
    this._error = undefined;
    const model = this.model || DEFAULT_MODEL;
    const voice = this.voice || undefined;
    const voiceCheck = checkVoice(model, voice);
    if (!voiceCheck.ok) return this.configError(voiceCheck.message);
    const tools = this.resolveTools();
    if (!tools.ok) return this.configError(tools.message);
    const config: SessionConfig = {};
    if (this.persona) config.instructions = this.persona;
    if (voice) config.voice = voice;
    if (tools.tools.length > 0) config.tools = tools.tools;
    if (this.speaksFirst) config.generate_initial_response = true;
    await this.conversation.start({
      tokenEndpoint: this.tokenEndpoint || undefined,
      tokenProvider: typeof this.tokenProvider === 'function' ? this.tokenProvider : undefined,
      agent: this.agent || undefined,
      url: this.url || undefined,
      model: model as Model,
      config,
      workletUrl: this.workletUrl || undefined,
      workerUrl: this.workerUrl || undefined,
      toolTimeoutMs: this.toolTimeout ?? undefined,
      muted: this.muted,
      wireLog: this.wireLog,
    });
  }

  /** Ends the conversation and releases the microphone. */
  stop(): void {
    this.conversation.stop();
  }

  /** Stops the agent's current response (its audio stops at once). */
  cancelResponse(): void {
    this.conversation.cancelResponse();
  }

  /** Starts a conversation when idle, ends it otherwise (what the button does). */
  toggle(): void {
    if (this.conversation.active) this.stop();
    else void this.start();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('muted')) this.conversation.setMuted(this.muted);
    if (changed.has('tools') && this.conversation.active) {
      const tools = this.resolveTools();
      if (tools.ok) this.conversation.updateTools(tools.tools);
      else this.reportConfig(tools.message, false);
    }
  }

  private resolveTools(): { ok: true; tools: Tool[] } | { ok: false; message: string } {
    if (this.tools !== undefined) return checkTools(this.tools);
    return readDeclaredTools(this) ?? { ok: true, tools: [] };
  }

  private configError(message: string): void {
    this.reportConfig(message, true);
  }

  private reportConfig(message: string, fatal: boolean): void {
    const detail: HydraErrorDetail = { code: 'invalid_config', message, fatal };
    if (fatal) {
      this._state = 'error';
      this.setAttribute('state', 'error');
      fire(this, 'hydra-state', { state: 'error' });
    }
    fire(this, 'hydra-error', detail);
  }

  override render() {
    const state = this._state;
    const active = state !== 'idle' && state !== 'error';
    const error = state === 'error' ? this._error : undefined;
    const status =
      this.muted && (state === 'listening' || state === 'user-speaking') ? 'Muted'
      : state === 'connecting' && this._notice ? this._notice
      : STATUS_TEXT[state];
    return html`
      <div class="control">
        <span part="visualizer" aria-hidden="true"></span>
        <button
          part="button"
          type="button"
          aria-pressed=${active ? 'true' : 'false'}
          aria-label=${BUTTON_LABEL[state]}
          aria-describedby="status"
          @click=${this.toggle}
        >
          <svg viewBox="0 0 24 24" aria-hidden="true">${iconFor(state, this.muted)}</svg>
        </button>
      </div>
      <div class="text">
        <span part="status" id="status" role="status" aria-live="polite">${status}</span>
        ${error
          ? html`<span part="error" role="alert">${error.message}</span>
              <button part="retry" type="button" @click=${this.toggle}>Try again</button>`
          : nothing}
        ${active
          ? html`<button part="mute" type="button" aria-pressed=${this.muted ? 'true' : 'false'} @click=${this.toggleMute}>
              ${this.muted ? 'Unmute' : 'Mute'}
            </button>`
          : nothing}
      </div>
    `;
  }

  private toggleMute(): void {
    this.muted = !this.muted;
  }

  // Typed addEventListener for TypeScript users of the element class.
  declare addEventListener: {
    <K extends keyof HydraVoiceEventMap>(type: K, listener: (this: HydraVoiceElement, ev: HydraVoiceEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
    <K extends keyof HTMLElementEventMap>(type: K, listener: (this: HydraVoiceElement, ev: HTMLElementEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
    (type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'hydra-voice': HydraVoiceElement;
  }
  // The events bubble and are composed, so pages can listen on document or window too.
  interface HTMLElementEventMap extends HydraVoiceEventMap {}
  interface DocumentEventMap extends HydraVoiceEventMap {}
  interface WindowEventMap extends HydraVoiceEventMap {}
}

