// Bounds on the work and memory one client can cause, so whatever a session sends only
// affects that session. Frames are already capped in size (maxFrameBytes) and nesting
// (LIMITS.frameDepth); these caps cover what the simulator derives from them: the text it
// speaks, the tool arguments it generates, what it keeps between frames.

export const LIMITS = {
  /** Deepest nesting of objects/arrays in a client frame (the frame itself is level 1). */
  frameDepth: 64,
  /** `instructions` longer than this are `invalid_request_error` (a real model's context is finite too). */
  instructionsChars: 32_768,
  /** More tools than this in `session.configure`/`session.update` are `invalid_request_error`. */
  tools: 128,
  /** Spoken text per reply (≈ 40 s of speech): longer text is cut at a sentence boundary, as a model stops. */
  replyChars: 600,
  /** One Flite run speaks at most this much (its cost grows faster than linearly); longer sentences are split. */
  synthesisChars: 200,
  /** A tool name as narrated ("The get weather tool said: …"). */
  spokenToolNameChars: 64,
  /** Tool outputs held for narration until a `response.create`; older ones are dropped first. */
  heldToolOutputs: 32,
  /** Call ids remembered for `function_call_output` items (the most recent ones). */
  knownCalls: 1024,
  /** Tool arguments built from a JSON Schema (`minItems`, `minLength`, nesting are clamped). */
  arguments: { depth: 8, items: 16, stringChars: 256, totalChars: 4096 },
} as const;

const SENTENCE_END = /[.!?]/;

/** Collapses whitespace and cuts `text` to `max` characters at a sentence boundary (or a word boundary, ending it with "."). */
export function capSpokenText(text: string, max: number = LIMITS.replyChars): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  if (clean.length <= max) return clean;
  for (let i = max - 1; i > 0; i--) {
    if (SENTENCE_END.test(clean[i]!) && clean[i + 1] === ' ') return clean.slice(0, i + 1);
  }
  return `${cutAtWord(clean, max - 1).replace(/[\s,;:]+$/, '')}.`;
}

/** A tool name as it is spoken: underscores as spaces, at most `max` characters. */
export function spokenToolName(name: string, max: number = LIMITS.spokenToolNameChars): string {
  const words = name.slice(0, max * 4).replace(/_/g, ' ').replace(/\s+/g, ' ').trim();
  return words.length <= max ? words : cutAtWord(words, max);
}

/** The longest prefix of `text` within `max` characters that ends at a word boundary (a hard cut for one long word). */
export function cutAtWord(text: string, max: number): string {
  if (text.length <= max) return text;
  const space = text.lastIndexOf(' ', max);
  return space > 0 ? text.slice(0, space) : text.slice(0, max);
}

/** `text` in pieces of at most `max` characters, split after a comma or at a space where possible. */
export function splitForSynthesis(text: string, max: number = LIMITS.synthesisChars): string[] {
  const pieces: string[] = [];
  let rest = text.trim();
  while (rest.length > max) {
    const comma = rest.lastIndexOf(', ', max);
    const cut = comma > max / 2 ? comma + 1 : cutAtWord(rest, max).length;
    pieces.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  if (rest) pieces.push(rest);
  return pieces;
}
