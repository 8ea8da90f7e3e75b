// Server-minted identifiers. Prefixes follow the vendor's examples (`sv_` + 16 hex for
// event ids, a UUID for session ids); item/response/call prefixes are our choice.
import { randomUUID } from 'node:crypto';
import { randomHex } from '../../protocol/ids.ts';

export const serverEventId = (): string => `sv_${randomHex(8)}`;
export const sessionId = (): string => randomUUID();
export const itemId = (): string => `item_${randomHex(8)}`;
export const responseId = (): string => `resp_${randomHex(8)}`;
export const callId = (): string => `call_${randomHex(8)}`;
