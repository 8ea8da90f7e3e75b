// The conversation as it happened, for the timeline and the public `history` array.
// Hydra sends no text, so an entry records what it does send: the user's turns (with
// their length from the turn's audio offsets), the agent's replies (how long they played,
// and whether the user talked over them) and tool calls (arguments, what the page
// answered, how long that took). Entries are frozen; an update replaces the entry.

/** A user turn: `durationMs` from Hydra's audio offsets once the turn ended. */
export interface HydraUserTurn {
  kind: 'user';
  itemId: string;
  /** Wall-clock time the turn started (Date.now()). */
  at: number;
  audioStartMs: number;
  audioEndMs?: number;
  durationMs?: number;
}

/** An agent reply: `durationMs` is the audio played, known once it finished or was cut. */
export interface HydraAgentReply {
  kind: 'agent';
  responseId: string;
  at: number;
  durationMs?: number;
  /** `completed`, `cancelled`, `incomplete` or `failed`, once the response ended. */
  status?: string;
  reason?: string;
  /** The user talked over it (barge-in). */
  interrupted: boolean;
}

/** A tool call the page answered (or not). */
export interface HydraToolCall {
  kind: 'tool';
  callId: string;
  name: string;
  at: number;
  arguments: Record<string, unknown>;
  /** `pending` until the page answers; `failed` when its promise rejected or it declined; `unanswered` after the tool timeout. */
  status: 'pending' | 'answered' | 'failed' | 'unanswered';
  /** What the page answered (the value, or the rejection's message as `error`). */
  result?: unknown;
  error?: string;
  /** From the call to the page's answer. */
  tookMs?: number;
}

export type HydraHistoryEntry = HydraUserTurn | HydraAgentReply | HydraToolCall;

/** The oldest entries go beyond this many (a call of several hours): memory stays flat. */
export const HISTORY_LIMIT = 1000;

/** Records one conversation; calls `onchange` after every change. */
export class ConversationHistory {
  #list: HydraHistoryEntry[] = [];
  #snapshot: readonly HydraHistoryEntry[] | undefined;
  #timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** How responses ended that were not audible (yet): most never will be (tool calls). */
  #ended = new Map<string, Pick<HydraAgentReply, 'status' | 'reason' | 'interrupted'>>();
  /** When each unanswered call was made (this.now()). */
  #starts = new Map<string, number>();

  readonly #onchange: () => void;
  readonly #now: () => number;

  constructor(
    onchange: () => void = () => undefined,
    now: () => number = () => performance.now(),
  ) {
    this.#onchange = onchange;
    this.#now = now;
  }

  /** A frozen array of frozen entries (the same array until something changes). */
  get entries(): readonly HydraHistoryEntry[] {
    return (this.#snapshot ??= Object.freeze([...this.#list]));
  }

  clear(): void {
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
    this.#starts.clear();
    this.#ended.clear();
    this.#set(() => (this.#list = []));
  }

  turnStarted(itemId: string, audioStartMs: number): void {
    this.#add({ kind: 'user', itemId, at: Date.now(), audioStartMs });
  }

  turnEnded(itemId: string, audioEndMs: number): void {
    this.#update('user', (e) => e.itemId === itemId, (e) => ({ ...e, audioEndMs, durationMs: Math.max(0, audioEndMs - e.audioStartMs) }));
  }

  /** The reply became audible (a response without audio, e.g. one that only calls tools, gets no entry). */
  replyStarted(responseId: string): void {
    const ended = this.#ended.get(responseId);
    this.#ended.delete(responseId);
    this.#add({ kind: 'agent', responseId, at: Date.now(), interrupted: false, ...ended });
  }

  /** The reply's audio left the player (played out or cut) after `ms` of sound. */
  replyPlayed(responseId: string, ms: number): void {
    this.#update('agent', (e) => e.responseId === responseId, (e) => ({ ...e, durationMs: Math.round(ms) }));
  }

  /** The response ended; it may still be playing out, or (rarely) not be audible yet. */
  replyEnded(responseId: string, status: string, reason?: string): void {
    const end = { status, ...(reason === undefined ? {} : { reason }), interrupted: status === 'cancelled' && reason !== 'client_cancelled' };
    if (!this.#list.some((e) => e.kind === 'agent' && e.responseId === responseId)) {
      this.#ended.set(responseId, end);
      if (this.#ended.size > 8) this.#ended.delete(this.#ended.keys().next().value!);
      return;
    }
    this.#update('agent', (e) => e.responseId === responseId, (e) => ({ ...e, ...end }));
  }

  /** A tool call; marked `unanswered` if no answer comes within `timeoutMs`. */
  toolCalled(callId: string, name: string, args: Record<string, unknown>, timeoutMs: number): void {
    const started = this.#now();
    this.#add({ kind: 'tool', callId, name, at: Date.now(), arguments: args, status: 'pending' });
    this.#starts.set(callId, started);
    this.#timers.set(callId, setTimeout(() => this.#settle(callId, started, { status: 'unanswered' }), timeoutMs));
  }

  /** The page answered a call with a value or a promise (only the first answer counts). */
  toolAnswered(callId: string, value: unknown): void {
    const started = this.#starts.get(callId);
    if (started === undefined) return;
    this.#starts.delete(callId);
    Promise.resolve(value).then(
      (result) => this.#settle(callId, started, { status: 'answered', result }),
      (e: unknown) => this.#settle(callId, started, { status: 'failed', error: e instanceof Error ? e.message : String(e) }),
    );
  }

  #settle(callId: string, started: number, outcome: Partial<HydraToolCall>): void {
    clearTimeout(this.#timers.get(callId));
    this.#timers.delete(callId);
    this.#starts.delete(callId);
    this.#update(
      'tool',
      (e) => e.callId === callId && e.status === 'pending',
      (e) => ({ ...e, ...outcome, ...(outcome.status === 'unanswered' ? {} : { tookMs: Math.round(this.#now() - started) }) }),
    );
  }

  #add(entry: HydraHistoryEntry): void {
    this.#set(() => {
      this.#list.push(Object.freeze(entry));
      if (this.#list.length > HISTORY_LIMIT) this.#list.shift();
    });
  }

  /** Replaces the latest entry of `kind` that matches with `change(entry)`. */
  #update<K extends HydraHistoryEntry['kind']>(
    kind: K,
    match: (e: Extract<HydraHistoryEntry, { kind: K }>) => boolean,
    change: (e: Extract<HydraHistoryEntry, { kind: K }>) => Extract<HydraHistoryEntry, { kind: K }>,
  ): void {
    for (let i = this.#list.length - 1; i >= 0; i--) {
      const e = this.#list[i]!;
      if (e.kind === kind && match(e as Extract<HydraHistoryEntry, { kind: K }>)) {
        this.#set(() => (this.#list[i] = Object.freeze(change(e as Extract<HydraHistoryEntry, { kind: K }>))));
        return;
      }
    }
  }

  #set(mutate: () => void): void {
    mutate();
    this.#snapshot = undefined;
    this.#onchange();
  }
}
