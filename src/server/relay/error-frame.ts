// Hydra-shaped `error` frames the relay itself sends, so the widget handles relay failures
// with the same code path as server errors. Codes stay within Hydra's documented set.
import { randomBytes } from 'node:crypto';

export type RelayErrorCode = 'invalid_request_error' | 'server_full' | 'internal_error';

/** `{"type":"error","event_id":"relay_…","error":{type, code, message, param?}}`; messages start with "relay: ". */
export function relayErrorFrame(code: RelayErrorCode, message: string, param?: string): string {
  const error: Record<string, string> = { type: code, code, message: `relay: ${message}` };
  if (param !== undefined) error.param = param;
  return JSON.stringify({ type: 'error', event_id: `relay_${randomBytes(8).toString('hex')}`, error });
}
