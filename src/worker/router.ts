// Audio routing, next to the socket: capture worklet → session (mic chunks), session →
// playback worklet (reply audio), and the flush decisions of a barge-in made where the
// frame arrives. It runs wherever the engine runs (the worker by default); the worklets
// reach it over MessagePorts, so none of this touches the page's main thread.
import { CaptureChannel } from '../audio/capture-channel.ts';
import type { CaptureMessage } from '../audio/worklet/capture-core.ts';
import { PlaybackChannel } from '../audio/playback-channel.ts';
import type { PlaybackMessage } from '../audio/worklet/playback-core.ts';
import { OUTPUT_SAMPLE_RATE } from '../protocol/endpoints.ts';
import type { HydraSession } from '../session/session.ts';
import type { EngineStats } from './messages.ts';

export class AudioRouter {
  /** Loudest mic level (RMS 0..1) since the last takeLevels() (one per chunk, 50 a second). */
  inputLevel = 0;
  /** Loudest playback level (RMS 0..1) since the last takeLevels() (~20 a second while playing). */
  outputLevel = 0;

  readonly #capture = new CaptureChannel();
  #playback: PlaybackChannel | undefined;
  #capturePort: MessagePort | undefined;
  #playbackPort: MessagePort | undefined;

  readonly #session: HydraSession;

  constructor(session: HydraSession) {
    this.#session = session;
    this.#capture.onchunk = (pcm, level) => {
      this.inputLevel = Math.max(this.inputLevel, level);
      session.appendAudio(pcm);
    };
    session.addEventListener('audio', (e) => this.#playback?.enqueue(e.detail.responseId, e.detail.pcm));
    session.addEventListener('audio-done', (e) => this.#playback?.end(e.detail.responseId));
    session.addEventListener('barge-in', (e) => this.#playback?.flush(e.detail.responseId));
    session.addEventListener('turn-start', () => {
      // The user started talking: anything still playing is stale. Cut it now instead of
      // waiting for Hydra's response.done(interrupted).
      if (this.#playback?.playing) this.#playback.flush();
    });
    session.addEventListener('response-end', (e) => {
      const { responseId, reason } = e.detail;
      if (reason === 'connection_lost') this.#playback?.flush(responseId);
      else this.#playback?.end(responseId); // also when output_audio.done never came
    });
  }

  get stats(): Pick<EngineStats, 'mic' | 'playback'> {
    const p = this.#playback?.stats;
    return {
      mic: { ...this.#capture.stats },
      playback: { underruns: p?.underruns ?? 0, dropped: p?.dropped ?? 0, lastFlushFrame: p?.lastFlushFrame ?? null },
    };
  }

  /** Mic chunks arrive on `port` from now on (a new capture worklet restarts its sequence). */
  attachCapture(port: MessagePort): void {
    this.#capturePort?.close();
    this.#capturePort = port;
    this.#capture.restart();
    port.onmessage = (e: MessageEvent<CaptureMessage>) => this.#capture.receive(e.data);
  }

  /** Reply audio goes to the playback worklet on `port`; what it plays drives `speaking`. */
  attachPlayback(port: MessagePort): void {
    this.#playbackPort?.close();
    this.#playbackPort = port;
    const playback = (this.#playback = new PlaybackChannel((cmd, transfer) => port.postMessage(cmd, transfer ?? [])));
    playback.onlevel = (level) => (this.outputLevel = Math.max(this.outputLevel, level));
    playback.onstarted = (id) => this.#session.playbackStarted(id);
    playback.onfinished = (id, flushed, frames) => this.#session.playbackEnded(id, flushed, Math.round((frames * 1000) / OUTPUT_SAMPLE_RATE));
    port.onmessage = (e: MessageEvent<PlaybackMessage>) => playback.receive(e.data);
    this.#session.attachPlayback();
  }

  /** The loudest levels since the last call, [input, output]; then both start over. */
  takeLevels(): [number, number] {
    const levels: [number, number] = [this.inputLevel, this.outputLevel];
    this.inputLevel = this.outputLevel = 0;
    return levels;
  }

  /** cancelResponse(): `response.cancel`, and whatever is playing stops now. */
  cancelResponse(): void {
    this.#session.cancelResponse();
    this.#playback?.flush();
  }

  close(): void {
    this.#capturePort?.close();
    this.#playbackPort?.close();
    this.#capturePort = this.#playbackPort = undefined;
    this.#playback = undefined;
  }
}
