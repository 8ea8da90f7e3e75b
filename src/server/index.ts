// `hydra-voice/server`: the Node pieces a site deploys: token endpoint (node:http and
// web-standard Request → Response), relay, server-held agents, and the state store shared
// by several instances. Its only runtime dependency is `ws` (plus `@redis/client` when the
// Redis store connects by URL). The local Hydra simulator is `hydra-voice/simulator`.
// See docs/SERVER.md.
export * from './token/index.ts';
export * from './relay/index.ts';
export * from './store/index.ts';
export type { AllowedOrigins } from './http/origins.ts';
