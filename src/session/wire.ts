// Wire-log helpers: audio payloads elided from `frame` events, and the memory of which
// frame type each of our event_ids was, to name the cause of a server error.

/** Bytes a padded base64 text decodes to (for the elision note). */
function decodedBytes(b64: string): number {
  return Math.max(0, Math.floor((b64.length * 3) / 4) - (b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0));
}

/** A shallow copy with `audio` / `delta` of audio frames replaced by a note. */
export function elideAudio(frame: { type: string } & Record<string, unknown>): unknown {
  if (frame.type === 'input_audio_buffer.append' && typeof frame.audio === 'string') {
    return { ...frame, audio: `<${decodedBytes(frame.audio)} bytes>` };
  }
  if (frame.type === 'response.output_audio.delta' && typeof frame.delta === 'string') {
    return { ...frame, delta: `<${decodedBytes(frame.delta)} bytes>` };
  }
  return frame;
}

/** event_id → frame type of the last `limit` frames sent (audio runs at 50 frames/s). */
export class SentFrames {
  #types = new Map<string, string>();

  readonly #limit: number;

  constructor(limit = 1024) {
    this.#limit = limit;
  }

  add(eventId: string, type: string): void {
    this.#types.set(eventId, type);
    if (this.#types.size > this.#limit) this.#types.delete(this.#types.keys().next().value as string);
  }

  typeOf(eventId: string): string | undefined {
    return this.#types.get(eventId);
  }

  clear(): void {
    this.#types.clear();
  }
}
