// The Hydra wire protocol: schemas, parsers, voice rosters, ids, close codes, endpoints and
// the error vocabulary. No DOM, no Node APIs: shared by the browser element, the worker and
// the Node simulator/relay. Browser code imports the files it needs directly (never this
// index, which pulls in zod).
export * from './schemas.ts';
export * from './parse.ts';
export * from './parse-client.ts';
export * from './voices.ts';
export * from './ids.ts';
export * from './base64.ts';
export * from './server-frames.ts';
export * from './close-codes.ts';
export * from './endpoints.ts';
export * from './errors.ts';
export * from './browser-checks.ts';
