// Turn and response tracking: user speech, responses and their audio, barge-in, what is
// audible, and the conversation state derived from them. Knows nothing of sockets.
//
// Reply audio is routed only for responses Hydra announced with `response.created` and has
// not ended: audio for any other id is late (its response was barged in, cancelled, cut
// by a lost connection, or already done) or was never announced (a server out of
// protocol). Either way it is not played and changes no state; a never-announced id is
// reported once as a non-fatal `invalid_frame`.
import { base64ToPcm16 } from '../protocol/base64.ts';
import type { ServerFrameOf } from '../protocol/schemas.ts';
import type { HydraState, ResponseEndDetail, SessionEventDetails } from './events.ts';

export interface TurnsHost {
  emit<K extends Exclude<keyof SessionEventDetails, 'tool-call'>>(type: K, detail: SessionEventDetails[K]): void;
  invalid(message: string): void;
  changed(): void;
}

interface InFlight {
  audio: boolean;
  audioDone: boolean;
}

/** Ids remembered as barged in / ended, so their late chunks are recognised. */
const ENDED_MEMORY = 64;
const MAX_IN_FLIGHT = 8;

export class Turns {
  #userSpeaking = false;
  /** Speech stopped; waiting for response.created (or a discarded turn). */
  #awaitingResponse = false;
  #responses = new Map<string, InFlight>();
  #barged: string[] = [];
  #ended: string[] = [];
  #unknown: string[] = [];
  /**
   * With a playback attached: responses whose audio went to it and has not finished playing
   * ('queued' until its first sample is audible, then 'playing'). Survives reconnects: a
   * complete reply still plays out while the socket is replaced.
   */
  #heard = new Map<string, 'queued' | 'playing'>();
  /** A playback reports started/ended: `speaking` follows the output, not the wire. */
  playbackAttached = false;
  /** Audio chunks of responses that had ended (barge-in, cancel, done, lost) and were dropped. */
  droppedLateAudio = 0;
  /** Audio chunks of responses Hydra never announced, dropped. */
  droppedUnknownAudio = 0;

  readonly #host: TurnsHost;

  constructor(host: TurnsHost) {
    this.#host = host;
  }

  /** The state these events imply; `toolsBusy` keeps a tool turn in `thinking`. */
  state(toolsBusy: boolean): HydraState {
    if (this.#userSpeaking) return 'user-speaking';
    if (this.playbackAttached) {
      for (const h of this.#heard.values()) if (h === 'playing') return 'speaking';
      if (this.#heard.size > 0) return 'thinking'; // on its way to the speakers (prebuffering)
    } else {
      for (const [id, r] of this.#responses) if (r.audio && !this.#barged.includes(id)) return 'speaking';
    }
    if (this.#awaitingResponse || this.#responses.size > 0 || toolsBusy) return 'thinking';
    return 'listening';
  }

  /** The response in flight, if any (the target of cancelResponse). */
  get current(): string | undefined {
    let last: string | undefined;
    for (const id of this.#responses.keys()) last = id;
    return last;
  }

  /** The client asked for a response (the narration after tool outputs): `thinking` until it is created. */
  expectResponse(): void {
    this.#awaitingResponse = true;
  }

  /** Hydra refused our response.create: no response is coming. */
  responseRefused(): void {
    this.#awaitingResponse = false;
    this.#host.changed();
  }

  speechStarted(f: ServerFrameOf<'input_audio_buffer.speech_started'>): void {
    this.#userSpeaking = true;
    this.#awaitingResponse = false;
    this.#host.emit('turn-start', { itemId: f.item_id, audioStartMs: f.audio_start_ms });
    this.#host.changed();
  }

  speechStopped(f: ServerFrameOf<'input_audio_buffer.speech_stopped'>): void {
    this.#userSpeaking = false;
    this.#awaitingResponse = true;
    this.#host.emit('turn-end', { itemId: f.item_id, audioEndMs: f.audio_end_ms });
    this.#host.changed();
  }

  itemDone(f: ServerFrameOf<'conversation.item.done'>): void {
    const { item } = f;
    if (item.role !== 'user' || item.status !== 'incomplete') return;
    // Noise the turn detector rejected: no response will come.
    this.#userSpeaking = false;
    this.#awaitingResponse = false;
    this.#host.emit('turn-discarded', { itemId: item.id ?? '' });
    this.#host.changed();
  }

  responseCreated(f: ServerFrameOf<'response.created'>): void {
    const id = f.response.id;
    // A new response while an older one's audio is still arriving: the user barged in.
    for (const [old, r] of this.#responses) if (old !== id && r.audio && !r.audioDone) this.#bargeIn(old);
    this.#awaitingResponse = false;
    if (!this.#responses.has(id)) this.#responses.set(id, { audio: false, audioDone: false });
    // Bounded even if a server never ends its responses.
    if (this.#responses.size > MAX_IN_FLIGHT) this.#forget(this.#responses.keys().next().value as string);
    this.#host.emit('response-start', { responseId: id });
    this.#host.changed();
  }

  audioDelta(f: ServerFrameOf<'response.output_audio.delta'>): void {
    const id = f.response_id;
    const r = this.#responses.get(id);
    if (!r || this.#barged.includes(id)) {
      if (r || this.#barged.includes(id) || this.#ended.includes(id)) this.droppedLateAudio++;
      else {
        this.droppedUnknownAudio++;
        if (!this.#unknown.includes(id)) {
          this.#remember(this.#unknown, id);
          this.#host.invalid(`Ignored reply audio for response ${id}: Hydra never announced it (response.created).`);
        }
      }
      return;
    }
    const pcm = base64ToPcm16(f.delta);
    if (pcm === null) {
      this.#host.invalid(`response.output_audio.delta for ${id} is not base64 PCM16; chunk skipped.`);
      return;
    }
    const first = !r.audio;
    r.audio = true;
    if (this.playbackAttached && !this.#heard.has(id)) this.#heard.set(id, 'queued');
    this.#host.emit('audio', f.item_id === undefined ? { responseId: id, pcm } : { responseId: id, itemId: f.item_id, pcm });
    if (first) this.#host.changed();
  }

  audioDone(f: ServerFrameOf<'response.output_audio.done'>): void {
    const r = this.#responses.get(f.response_id);
    if (!r || this.#barged.includes(f.response_id)) return;
    r.audioDone = true;
    this.#host.emit('audio-done', { responseId: f.response_id });
  }

  responseDone(f: ServerFrameOf<'response.done'>): void {
    const { id, status, status_details: details, usage } = f.response;
    const reason = details?.reason;
    // Cancelled by the user's voice (not by our own response.cancel): flush its audio.
    if (status === 'cancelled' && reason !== 'client_cancelled') this.#bargeIn(id);
    this.#forget(id);
    const detail: ResponseEndDetail = { responseId: id, status };
    if (reason !== undefined) detail.reason = reason;
    if (usage) detail.usage = usage;
    this.#host.emit('response-end', detail);
    this.#host.changed();
  }

  /** The first sample of this response's audio reached the output. */
  playbackStarted(id: string): void {
    if (this.#heard.get(id) === 'playing') return;
    this.#heard.set(id, 'playing');
    this.#host.emit('playback-start', { responseId: id });
    this.#host.changed();
  }

  /** This response's audio left the output after `durationMs` of it played: played out, or cut off (`interrupted`). */
  playbackEnded(id: string, interrupted: boolean, durationMs: number): void {
    if (!this.#heard.delete(id)) return;
    this.#host.emit('playback-end', { responseId: id, interrupted, durationMs });
    this.#host.changed();
  }

  /**
   * The socket is gone mid-conversation: responses in flight will never end on the wire,
   * so they end here, cancelled, with reason `connection_lost` (the audio router flushes
   * their audio). Then the Hydra session is forgotten.
   */
  connectionLost(): void {
    for (const id of [...this.#responses.keys()]) {
      this.#forget(id);
      this.#host.emit('response-end', { responseId: id, status: 'cancelled', reason: 'connection_lost' });
    }
    this.reset();
  }

  /** A new socket: nothing in flight any more (what is still playing keeps playing). */
  reset(): void {
    this.#userSpeaking = false;
    this.#awaitingResponse = false;
    this.#responses.clear();
  }

  /** stop(): nothing at all. */
  clear(): void {
    this.reset();
    this.#barged = [];
    this.#ended = [];
    this.#unknown = [];
    this.#heard.clear();
  }

  #forget(id: string): void {
    this.#responses.delete(id);
    this.#remember(this.#ended, id);
  }

  #remember(list: string[], id: string): void {
    if (list.includes(id)) return;
    list.push(id);
    if (list.length > ENDED_MEMORY) list.shift();
  }

  #bargeIn(id: string): void {
    if (this.#barged.includes(id)) return;
    this.#remember(this.#barged, id);
    this.#host.emit('barge-in', { responseId: id });
  }
}
