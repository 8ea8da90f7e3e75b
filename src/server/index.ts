// `hydra-voice/server`: the Node pieces a site deploys (token endpoint + relay) and the
// local Hydra simulator. All are plain node:http handlers / upgrade hooks (docs/SERVER.md).
export * from './token/index.ts';
export * from './relay/index.ts';
export type { AllowedOrigins } from './http/origins.ts';
export { createSimulator, listenSimulator, type Simulator, type ListeningSimulator, type SimulatorOptions } from './simulator/index.ts';
