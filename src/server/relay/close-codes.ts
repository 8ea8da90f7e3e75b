// Close codes the relay sends to the browser (and why): the wire contract lives once in
// src/protocol/close-codes.ts, shared with the browser client and the simulator.
export { RELAY_CLOSE, WS_CLOSE, forwardCloseCode, isSendableCloseCode } from '../../protocol/close-codes.ts';
