// The user's side of a session: input audio through the turn detector (VAD) into user
// turns, announced as Hydra does:
//   speech_started → user item added (in_progress) → speech_stopped → item done
// (completed, or incomplete for noise too short to be a turn). Audio that arrives before
// the detector is ready is queued. In parrot mode the audio is also recorded, so the reply
// can play the utterance back.
import type { LoggedItem, SessionContext } from './context.ts';
import * as ids from './ids.ts';
import { InputRecorder } from './recorder.ts';
import { VoiceActivity, type FvadModule, type TurnEvent } from './vad.ts';

/** A completed user turn. */
export interface UserTurn {
  itemId: string;
  /** When `speech_stopped` was sent (`performance.now()`). */
  speechStoppedAt: number;
  /** Length of the utterance, ms of input audio. */
  utteranceMs: number;
}

export interface UserTurnEvents {
  /** The user started speaking (a response in flight must stop: barge-in). */
  speechStarted(): void;
  /** The user finished a turn long enough to answer. */
  turnCompleted(turn: UserTurn): void;
}

export class UserTurns {
  /** Completed turns so far. */
  count = 0;
  /** Duration of the last completed utterance, ms (0 before any). */
  lastUtteranceMs = 0;
  /** The last completed utterance, 16 kHz, while recording (parrot mode). */
  lastUtterance: Int16Array | undefined;
  private vad: VoiceActivity | undefined;
  private queued: Int16Array[] = [];
  private recorder: InputRecorder | undefined;
  private open: { entry: LoggedItem; startMs: number; startedAt: number } | undefined;

  constructor(
    private readonly session: SessionContext,
    private readonly events: UserTurnEvents,
  ) {}

  /** Keeps the input audio of each turn (for parrot replies), or stops keeping it. */
  record(on: boolean): void {
    if (!on) this.recorder = undefined;
    else this.recorder ??= new InputRecorder();
  }

  /** Starts turn detection, then feeds it the audio queued so far. */
  start(fvad: FvadModule): void {
    if (this.vad) return;
    this.vad = new VoiceActivity(fvad, this.session.options.vad);
    const queued = this.queued;
    this.queued = [];
    for (const pcm of queued) this.push(pcm);
  }

  /** 16 kHz PCM16 from the client, in order. */
  push(pcm: Int16Array): void {
    if (!this.vad) {
      this.queued.push(pcm);
      return;
    }
    this.recorder?.push(pcm, this.open?.startMs);
    let detected: TurnEvent[];
    try {
      detected = this.vad.push(pcm);
    } catch (e) {
      this.session.error('internal_error', `voice activity detection failed: ${(e as Error).message}`);
      return;
    }
    for (const event of detected) {
      if (event.type === 'start') this.started(event.startMs);
      else this.stopped(event.startMs, event.endMs, event.complete);
    }
  }

  free(): void {
    this.vad?.free();
    this.vad = undefined;
  }

  private started(startMs: number): void {
    const itemId = ids.itemId();
    this.session.send('input_audio_buffer.speech_started', { audio_start_ms: Math.round(startMs), item_id: itemId });
    this.events.speechStarted();
    const entry = this.session.addItem({ id: itemId, type: 'message', role: 'user', status: 'in_progress', content: [{ type: 'input_audio', text: null }] });
    this.open = { entry, startMs, startedAt: performance.now() };
  }

  private stopped(startMs: number, endMs: number, complete: boolean): void {
    const turn = this.open;
    if (!turn) return;
    this.open = undefined;
    const { entry } = turn;
    this.session.send('input_audio_buffer.speech_stopped', { audio_end_ms: Math.round(endMs), item_id: entry.item.id });
    const speechStoppedAt = performance.now();
    entry.item.status = complete ? 'completed' : 'incomplete';
    this.session.doneItem(entry);
    this.session.options.onTurn?.({
      sessionId: this.session.id,
      itemId: entry.item.id,
      audioStartMs: Math.round(startMs),
      audioEndMs: Math.round(endMs),
      status: entry.item.status,
      speechStartedAt: turn.startedAt,
      speechStoppedAt,
    });
    if (!complete) return; // noise: no response
    this.count++;
    this.lastUtteranceMs = endMs - startMs;
    if (this.recorder) this.lastUtterance = this.recorder.slice(startMs, endMs);
    this.events.turnCompleted({ itemId: entry.item.id, speechStoppedAt, utteranceMs: this.lastUtteranceMs });
  }
}
