// The relay's policy for a server-held agent's session. Every browser frame is parsed and
// rebuilt from the fields Hydra documents, so nothing the page adds reaches Hydra unseen
// (a frame Hydra's parser reads differently from ours, an extra key, a prompt in a
// `response.create` body). Audio frames are rebuilt too: cheap, and no exception to reason about.
//
//   session.configure         the agent's configuration, plus the fields it lets the page override;
//                             sent first even when the page never sends one; repeats are dropped
//   session.update            tools only, and only the agent's (by name, with the agent's definitions)
//   conversation.item.create  tool results (function_call_output) only
//   input_audio_buffer.append, response.create, response.cancel: their documented fields
//   anything else             refused with an error frame; the session goes on
//
// Towards the page, the `session.configured` echo loses the agent's instructions.
import type { AgentDefinition, AgentTool } from './agents.ts';

export type GateVerdict = { send: string[] } | { refuse: string; param?: string };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export class AgentGate {
  #configured = false;
  #echoChecked = false;
  /** True when the page's own instructions were applied: then the echo is the page's to see. */
  #pageInstructions = false;
  readonly #tools: ReadonlyMap<string, AgentTool>;
  readonly #may: ReadonlySet<string>;

  constructor(
    readonly agentId: string,
    readonly agent: AgentDefinition,
  ) {
    this.#tools = new Map((agent.tools ?? []).map((t) => [t.name, t]));
    this.#may = new Set(agent.allowOverrides ?? []);
  }

  /** The `session.configure` Hydra gets: the agent's values, or the page's where allowed. */
  configure(page: Json = {}): Json {
    const a = this.agent;
    const pick = <T>(field: string, pageValue: unknown, ok: (v: unknown) => v is T, own: T | undefined): T | undefined =>
      this.#may.has(field) && ok(pageValue) ? pageValue : own;
    const session: Json = {};
    const instructions = pick('instructions', page.instructions, (v): v is string => typeof v === 'string', a.instructions);
    this.#pageInstructions = instructions !== undefined && instructions === page.instructions;
    const voice = pick('voice', page.voice, (v): v is string => typeof v === 'string', a.voice);
    const tools = pick('tools', page.tools, (v): v is unknown[] => Array.isArray(v), a.tools);
    const first = pick('speaksFirst', page.generate_initial_response, (v): v is boolean => typeof v === 'boolean', a.speaksFirst);
    if (instructions !== undefined) session.instructions = instructions;
    if (voice !== undefined) session.voice = voice;
    if (tools !== undefined) session.tools = tools;
    if (first !== undefined) session.generate_initial_response = first;
    return session;
  }

  /** Decides what to send upstream for one browser frame. */
  up(data: Buffer): GateVerdict {
    let frame: unknown;
    try {
      frame = JSON.parse(data.toString('utf8'));
    } catch {
      return { refuse: 'frame is not valid JSON' };
    }
    if (!isObject(frame) || typeof frame.type !== 'string') return { refuse: 'frame is not a JSON object with a "type"' };
    const eventId = typeof frame.event_id === 'string' && frame.event_id.length <= 128 ? { event_id: frame.event_id } : {};
    const out = (body: Json): string => JSON.stringify({ type: frame.type, ...eventId, ...body });

    if (frame.type === 'session.configure') {
      if (this.#configured) return { send: [] }; // Hydra ignores a second configure too
      this.#configured = true;
      return { send: [out({ session: this.configure(isObject(frame.session) ? frame.session : {}) })] };
    }
    const verdict = this.#other(frame, out);
    if ('refuse' in verdict || this.#configured) return verdict;
    // The page skipped session.configure: Hydra must still get the agent's, and first.
    this.#configured = true;
    return { send: [JSON.stringify({ type: 'session.configure', session: this.configure() }), ...verdict.send] };
  }

  #other(frame: Json, out: (body: Json) => string): GateVerdict {
    switch (frame.type) {
      case 'input_audio_buffer.append':
        if (typeof frame.audio !== 'string') return { refuse: 'input_audio_buffer.append needs an "audio" string', param: 'audio' };
        return { send: [out({ audio: frame.audio })] };
      case 'response.create':
        return { send: [out({})] };
      case 'response.cancel':
        return { send: [out(typeof frame.response_id === 'string' ? { response_id: frame.response_id } : {})] };
      case 'conversation.item.create': {
        const item = frame.item;
        if (!isObject(item) || item.type !== 'function_call_output' || typeof item.call_id !== 'string' || typeof item.output !== 'string') {
          return { refuse: `only tool results (function_call_output with call_id and output) may be added to agent "${this.agentId}"`, param: 'item' };
        }
        return { send: [out({ item: { type: 'function_call_output', call_id: item.call_id, output: item.output } })] };
      }
      case 'session.update':
        return this.#update(frame, out);
      default:
        return { refuse: `"${String(frame.type).slice(0, 64)}" frames are not allowed for agent "${this.agentId}"` };
    }
  }

  #update(frame: Json, out: (body: Json) => string): GateVerdict {
    const session = frame.session;
    if (!isObject(session) || !Array.isArray(session.tools) || Object.keys(session).some((k) => k !== 'tools')) {
      return { refuse: 'session.update may only change tools', param: 'session.update.session' };
    }
    if (this.#may.has('tools')) return { send: [out({ session: { tools: session.tools } })] };
    const tools: AgentTool[] = [];
    for (const tool of session.tools) {
      const name = isObject(tool) ? tool.name : undefined;
      const own = typeof name === 'string' ? this.#tools.get(name) : undefined;
      if (!own) {
        return { refuse: `tool "${String(name).slice(0, 64)}" is not one of agent "${this.agentId}"'s tools`, param: 'session.update.session.tools' };
      }
      if (!tools.includes(own)) tools.push(own);
    }
    return { send: [out({ session: { tools } })] };
  }

  /**
   * Filters a frame towards the page: until `session.configured` has passed, that echo
   * loses the agent's own instructions. Returns undefined to forward the frame unchanged.
   */
  down(data: Buffer): string | undefined {
    if (this.#echoChecked) return undefined;
    let frame: unknown;
    try {
      frame = JSON.parse(data.toString('utf8'));
    } catch {
      return undefined;
    }
    if (!isObject(frame) || frame.type !== 'session.configured') return undefined;
    this.#echoChecked = true;
    const session = frame.session;
    if (!isObject(session) || !('instructions' in session) || this.#pageInstructions) return undefined;
    const { instructions: _secret, ...rest } = session;
    return JSON.stringify({ ...frame, session: rest });
  }
}
