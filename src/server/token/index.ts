// Token endpoint and relay tokens (see docs/SERVER.md).
export { createTokenHandler, type TokenHandlerOptions } from './handler.ts';
export { createFetchTokenHandler, type FetchTokenHandlerOptions } from './fetch-handler.ts';
export type { TokenOptions } from './service.ts';
export {
  mintToken,
  verifyToken,
  TOKEN_PURPOSE,
  type TokenPayload,
  type MintOptions,
  type VerifyOptions,
  type VerifyResult,
  type TokenRejection,
  type Secret,
} from './tokens.ts';
