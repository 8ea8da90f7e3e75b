// What the simulator says. It is not a language model: replies are deterministic text
// (or, in parrot mode, the user's own audio) chosen from the turn number, the persona and
// the tool outputs, so tests and demos can predict them.
import { spokenToolName } from './limits.ts';
import type { ReplyContext, ReplyMode } from './options.ts';

const MODE_MARKER = /\[(parrot|persona|scripted)\]/i;

/** The reply mode of a session: a `[parrot]`/`[persona]`/`[scripted]` marker in the instructions wins. */
export function replyModeFor(instructions: string, fallback: ReplyMode): ReplyMode {
  const m = MODE_MARKER.exec(instructions);
  return m ? (m[1]!.toLowerCase() as ReplyMode) : fallback;
}

/** The persona's sentences, without markers, for persona mode. */
function personaSentences(instructions: string): string[] {
  // `[^\][]` (not just `[^\]]`): an unclosed "[" must not make every later "[" rescan the rest.
  const clean = instructions.replace(/\[[^\][]*\]/g, ' ').replace(/\s+/g, ' ').trim();
  return (clean.match(/[^.!?]+[.!?]*/g) ?? []).map((s) => s.trim()).filter((s) => /[A-Za-z]/.test(s));
}

/** Makes a tool's output (usually JSON) speakable: `{"temp":18}` → "temp 18". */
export function speakableOutput(output: string, maxChars = 160): string {
  let text = output.slice(0, maxChars * 4);
  try {
    text = flatten(JSON.parse(output), maxChars * 4);
  } catch {
    // Not JSON: speak it as it is.
  }
  text = text.replace(/[_{}[\]"]/g, ' ').replace(/\s+/g, ' ').trim();
  return text.length > maxChars ? `${text.slice(0, maxChars).replace(/\s+\S*$/, '')}` : text || 'nothing';
}

/**
 * "k v, k v" for a JSON value, stopping once about `limit` characters are written.
 * Iterative: a tool output is any string, and JSON.parse accepts nesting far deeper than
 * a recursive walk's stack.
 */
function flatten(value: unknown, limit: number): string {
  type Step = { text: string } | { value: unknown };
  let out = '';
  const todo: Step[] = [{ value }];
  while (todo.length > 0 && out.length < limit) {
    const step = todo.pop()!;
    if ('text' in step) {
      out += step.text;
      continue;
    }
    const v = step.value;
    if (v === null || v === undefined) out += 'nothing';
    else if (typeof v !== 'object') out += String(v);
    else {
      const entries: [string | undefined, unknown][] = Array.isArray(v) ? v.map((x) => [undefined, x]) : Object.entries(v);
      const steps: Step[] = [];
      entries.forEach(([key, x], i) => {
        if (i > 0) steps.push({ text: ', ' });
        if (key !== undefined) steps.push({ text: `${key} ` });
        steps.push({ value: x });
      });
      for (let i = steps.length - 1; i >= 0; i--) todo.push(steps[i]!);
    }
  }
  return out;
}

function seconds(ms: number): string {
  const n = Math.max(1, Math.round(ms / 500)) / 2;
  return n === 1 ? 'one second' : `${n} seconds`;
}

/** The built-in reply text for scripted and persona modes (and parrot's spoken parts). */
export function defaultReplyText(mode: ReplyMode, ctx: ReplyContext): string {
  if (ctx.trigger === 'tool-narration') {
    if (ctx.toolOutputs.length === 0) return 'I have no tool results yet.';
    return ctx.toolOutputs.map((o) => `The ${spokenToolName(o.name)} tool said: ${speakableOutput(o.output)}.`).join(' ');
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
