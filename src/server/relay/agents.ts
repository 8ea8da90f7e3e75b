// Server-held agents: the persona, voice, tools and model of a voice agent live on the
// server, not in the page's HTML, so a visitor cannot rewrite them in devtools and use the
// site's relay as a free general-purpose voice model. A token names its agent; the relay
// then builds the session's configuration itself (agent-gate.ts).
//
// Types here are self-contained on purpose: `hydra-voice/server` declarations must compile
// without zod or the browser build's types.
import { VOICES } from '../../protocol/voices.ts';

/** A tool the agent's model may call; the page still answers the call (hydra-tool-call). */
export interface AgentTool {
  type: 'function';
  name: string;
  description?: string;
  /** JSON Schema of the arguments. */
  parameters?: Record<string, unknown>;
}

/** What a page may set itself in its `session.configure` (everything else is the agent's). */
export type AgentOverride = 'instructions' | 'voice' | 'tools' | 'speaksFirst';
const OVERRIDES: readonly AgentOverride[] = ['instructions', 'voice', 'tools', 'speaksFirst'];

export interface AgentDefinition {
  /** Hydra model the relay dials for this agent, whatever the page asks. Default: the page's `model`. */
  model?: 'hydra-v1.1' | 'hydra-v1.0' | 'hydra';
  /** A voice on the model's roster. Default: Hydra's. */
  voice?: string;
  /** The persona / system prompt. Never sent to the page (the relay removes it from the echo). */
  instructions?: string;
  /** The only tools the model gets; `session.update` may narrow them, never add others. */
  tools?: AgentTool[];
  /** The agent greets first (`generate_initial_response`). */
  speaksFirst?: boolean;
  /** Fields the page may override with its own `session.configure` values. Default: none. */
  allowOverrides?: AgentOverride[];
}

/** Agent id → definition. Ids travel in tokens and in the element's `agent` attribute. */
export type Agents = Readonly<Record<string, AgentDefinition>>;

export const AGENT_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Checks every definition once, at setup, so a typo fails the deploy, not a visitor's call. */
export function validateAgents(agents: Agents, where: string): ReadonlyMap<string, AgentDefinition> {
  if (typeof agents !== 'object' || agents === null || Array.isArray(agents)) {
    throw new TypeError(`${where}: agents must be an object mapping ids to definitions`);
  }
  const out = new Map<string, AgentDefinition>();
  for (const [id, agent] of Object.entries(agents)) {
    const fail = (problem: string): never => {
      throw new TypeError(`${where}: agent "${id}": ${problem}`);
    };
    if (!AGENT_ID.test(id)) fail('ids are 1–64 letters, digits, "_", "-" or "." and start with a letter or digit');
    if (typeof agent !== 'object' || agent === null) fail('the definition must be an object');
    const models = Object.keys(VOICES);
    if (agent.model !== undefined && !models.includes(agent.model)) fail(`unknown model "${agent.model}" (one of ${models.join(', ')})`);
    if (agent.voice !== undefined) {
      const roster = agent.model ? VOICES[agent.model] : Object.values(VOICES).flat();
      if (!roster.includes(agent.voice)) fail(`voice "${agent.voice}" is not on the roster of ${agent.model ?? 'any model'}`);
    }
    if (agent.instructions !== undefined && typeof agent.instructions !== 'string') fail('instructions must be a string');
    if (agent.speaksFirst !== undefined && typeof agent.speaksFirst !== 'boolean') fail('speaksFirst must be a boolean');
    if (agent.tools !== undefined) {
      if (!Array.isArray(agent.tools)) fail('tools must be an array');
      const names = new Set<string>();
      for (const tool of agent.tools) {
        if (typeof tool !== 'object' || tool === null || tool.type !== 'function' || typeof tool.name !== 'string' || tool.name === '') {
          fail('every tool needs type "function" and a name');
        }
        if (names.has(tool.name)) fail(`tool "${tool.name}" is listed twice`);
        names.add(tool.name);
      }
    }
    for (const field of agent.allowOverrides ?? []) {
      if (!OVERRIDES.includes(field)) fail(`allowOverrides: unknown field "${field}" (one of ${OVERRIDES.join(', ')})`);
    }
    out.set(id, agent);
  }
  return out;
}
