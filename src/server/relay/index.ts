// The relay (see docs/SERVER.md).
export { createRelay, DEFAULT_UPSTREAM_URL, type Relay, type RelayOptions, type RelayStats, type RelayLogEvent } from './relay.ts';
export { RELAY_CLOSE, WS_CLOSE, forwardCloseCode, isSendableCloseCode } from './close-codes.ts';
export type { PipeEnd, UpstreamFailure } from './pipe-types.ts';
export type { AgentDefinition, AgentTool, AgentOverride, Agents } from './agents.ts';
