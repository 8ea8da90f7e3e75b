// Turn and response tracking: user speech, responses and their audio, barge-in, and the
// conversation state derived from them. Knows nothing of sockets.
import { base64ToPcm16 } from '../protocol/base64.ts';
import type { ServerFrameOf } from '../protocol/schemas.ts';
import type { HydraSessionEventMap, SessionState } from './events.ts';

export interface TurnsHost {
  emit<K extends keyof HydraSessionEventMap>(type: K, detail: HydraSessionEventMap[K]['detail']): void;
  invalid(message: string): void;
  changed(): void;
}

interface InFlight {
  audio: boolean;
  audioDone: boolean;
}

const BARGED_MEMORY = 16;
const MAX_IN_FLIGHT = 8;

export class Turns {
  private userSpeaking = false;
  /** Speech stopped; waiting for response.created (or a discarded turn). */
  private awaitingResponse = false;
  private responses = new Map<string, InFlight>();
  private barged: string[] = [];
  /** Audio chunks of barged-in responses that arrived late and were dropped. */
  droppedLateAudio = 0;

  constructor(private readonly host: TurnsHost) {}

  /** The state these events imply; `toolsBusy` keeps a tool turn in `thinking`. */
  state(toolsBusy: boolean): SessionState {
    if (this.userSpeaking) return 'user-speaking';
    for (const [id, r] of this.responses) if (r.audio && !this.barged.includes(id)) return 'speaking';
    if (this.awaitingResponse || this.responses.size > 0 || toolsBusy) return 'thinking';
    return 'listening';
  }

  /** The response in flight, if any (the target of cancelResponse). */
  get current(): string | undefined {
    let last: string | undefined;
    for (const id of this.responses.keys()) last = id;
    return last;
  }

  /** The client asked for a response (the narration after tool outputs): `thinking` until it is created. */
  expectResponse(): void {
    this.awaitingResponse = true;
  }

  /** Hydra refused our response.create: no response is coming. */
  responseRefused(): void {
    this.awaitingResponse = false;
    this.host.changed();
  }

  speechStarted(f: ServerFrameOf<'input_audio_buffer.speech_started'>): void {
    this.userSpeaking = true;
    this.awaitingResponse = false;
    this.host.emit('turn-start', { itemId: f.item_id, audioStartMs: f.audio_start_ms });
    this.host.changed();
  }

  speechStopped(f: ServerFrameOf<'input_audio_buffer.speech_stopped'>): void {
    this.userSpeaking = false;
    this.awaitingResponse = true;
    this.host.emit('turn-end', { itemId: f.item_id, audioEndMs: f.audio_end_ms });
    this.host.changed();
  }

  itemDone(f: ServerFrameOf<'conversation.item.done'>): void {
    const { item } = f;
    if (item.role !== 'user' || item.status !== 'incomplete') return;
    // Noise the turn detector rejected: no response will come.
    this.userSpeaking = false;
    this.awaitingResponse = false;
    this.host.emit('turn-discarded', { itemId: item.id ?? '' });
    this.host.changed();
  }

  responseCreated(f: ServerFrameOf<'response.created'>): void {
    const id = f.response.id;
    // A new response while an older one's audio is still arriving: the user barged in.
    for (const [old, r] of this.responses) if (old !== id && r.audio && !r.audioDone) this.bargeIn(old);
    this.awaitingResponse = false;
    if (!this.responses.has(id)) this.responses.set(id, { audio: false, audioDone: false });
    // Bounded even if a server never ends its responses.
    if (this.responses.size > MAX_IN_FLIGHT) this.responses.delete(this.responses.keys().next().value as string);
    this.host.emit('response-start', { responseId: id });
    this.host.changed();
  }

  audioDelta(f: ServerFrameOf<'response.output_audio.delta'>): void {
    const id = f.response_id;
    if (this.barged.includes(id)) {
      this.droppedLateAudio++;
      return;
    }
    const pcm = base64ToPcm16(f.delta);
    if (pcm === null) {
      this.host.invalid(`response.output_audio.delta for ${id} is not base64 PCM16; chunk skipped.`);
      return;
    }
    let r = this.responses.get(id);
    if (!r) this.responses.set(id, (r = { audio: false, audioDone: false }));
    const first = !r.audio;
    r.audio = true;
    this.host.emit('audio', f.item_id === undefined ? { responseId: id, pcm } : { responseId: id, itemId: f.item_id, pcm });
    if (first) this.host.changed();
  }

  audioDone(f: ServerFrameOf<'response.output_audio.done'>): void {
    const r = this.responses.get(f.response_id);
    if (r) r.audioDone = true;
    if (!this.barged.includes(f.response_id)) this.host.emit('audio-done', { responseId: f.response_id });
  }

  responseDone(f: ServerFrameOf<'response.done'>): void {
    const { id, status, status_details: details, usage } = f.response;
    const reason = details?.reason;
    // Cancelled by the user's voice (not by our own response.cancel): flush its audio.
    if (status === 'cancelled' && reason !== 'client_cancelled') this.bargeIn(id);
    this.responses.delete(id);
    const detail: HydraSessionEventMap['response-end']['detail'] = { responseId: id, status };
    if (reason !== undefined) detail.reason = reason;
    if (usage) detail.usage = usage;
    this.host.emit('response-end', detail);
    this.host.changed();
  }

  /** A new socket, or stop(): nothing in flight any more. */
  reset(): void {
    this.userSpeaking = false;
    this.awaitingResponse = false;
    this.responses.clear();
    this.barged = [];
  }

  private bargeIn(id: string): void {
    if (this.barged.includes(id)) return;
    this.barged.push(id);
    if (this.barged.length > BARGED_MEMORY) this.barged.shift();
    this.host.emit('barge-in', { responseId: id });
  }
}
