// What the simulator says. It is not a language model: replies are deterministic text
// (or, in parrot mode, the user's own audio) chosen from the turn number, the persona and
// the tool outputs, so tests and demos can predict them.
import type { ReplyContext, ReplyMode } from './options.ts';

const MODE_MARKER = /\[(parrot|persona|scripted)\]/i;

/** The reply mode of a session: a `[parrot]`/`[persona]`/`[scripted]` marker in the instructions wins. */
export function replyModeFor(instructions: string, fallback: ReplyMode): ReplyMode {
  const m = MODE_MARKER.exec(instructions);
  return m ? (m[1]!.toLowerCase() as ReplyMode) : fallback;
}

/** The persona's sentences, without markers, for persona mode. */
function personaSentences(instructions: string): string[] {
  const clean = instructions.replace(/\[[^\]]*\]/g, ' ').replace(/\s+/g, ' ').trim();
  return (clean.match(/[^.!?]+[.!?]*/g) ?? []).map((s) => s.trim()).filter((s) => /[A-Za-z]/.test(s));
}

/** Makes a tool's output (usually JSON) speakable: `{"temp":18}` → "temp 18". */
export function speakableOutput(output: string, maxChars = 160): string {
  let text = output;
  try {
    text = flatten(JSON.parse(output));
  } catch {
    // Not JSON: speak it as it is.
  }
  text = text.replace(/[_{}[\]"]/g, ' ').replace(/\s+/g, ' ').trim();
  return text.length > maxChars ? `${text.slice(0, maxChars).replace(/\s+\S*$/, '')}` : text || 'nothing';
}

function flatten(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return value.map(flatten).join(', ');
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).map(([k, v]) => `${k} ${flatten(v)}`).join(', ');
  }
  return String(value);
}

function seconds(ms: number): string {
  const n = Math.max(1, Math.round(ms / 500)) / 2;
  return n === 1 ? 'one second' : `${n} seconds`;
}

/** The built-in reply text for scripted and persona modes (and parrot's spoken parts). */
export function defaultReplyText(mode: ReplyMode, ctx: ReplyContext): string {
  if (ctx.trigger === 'tool-narration') {
    if (ctx.toolOutputs.length === 0) return 'I have no tool results yet.';
    return ctx.toolOutputs.map((o) => `The ${o.name.replace(/_/g, ' ')} tool said: ${speakableOutput(o.output)}.`).join(' ');
  }
  if (mode === 'persona') {
    const lines = personaSentences(ctx.instructions);
    if (lines.length > 0) {
      const index = ctx.trigger === 'initial' ? 0 : (Math.max(ctx.turn, 1) - 1) % lines.length;
      return lines[index]!;
    }
  }
  switch (ctx.trigger) {
    case 'initial':
      return mode === 'parrot'
        ? 'Parrot mode. Say something and I will repeat it.'
        : 'Hello! This is the local Hydra simulator. How can I help?';
    case 'response.create':
      return 'Here is the response you asked for.';
    default:
      return `Reply ${ctx.turn}. I heard about ${seconds(ctx.utteranceMs)} of speech.`;
  }
}
