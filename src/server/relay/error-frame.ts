// Hydra-shaped `error` frames the relay itself sends, so the widget handles relay failures
// with the same code path as server errors. Codes stay within Hydra's documented set.
import { randomHex } from '../../protocol/ids.ts';
// server-frames.ts, not the protocol index: the index pulls in the zod schemas, and the
// relay's package entry must run with nothing but ws installed.
import { errorFrame } from '../../protocol/server-frames.ts';

export type RelayErrorCode = 'invalid_request_error' | 'server_full' | 'internal_error';

/** `{"type":"error","event_id":"relay_…","error":{type, code, message, param?}}`; messages start with "relay: ". */
export function relayErrorFrame(code: RelayErrorCode, message: string, param?: string): string {
  // error.type as Hydra and the simulator set it (server_error / invalid_request_error);
  // clients switch on code.
  return JSON.stringify(errorFrame(`relay_${randomHex(8)}`, { code, message: `relay: ${message}`, param }));
}
