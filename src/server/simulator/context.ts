// What the parts of a session (responses.ts, tool-turn.ts) need from it: the wire, the
// conversation log, and the error boundary. Implemented by SimSession (session.ts).
import type { ConversationItem, ErrorCode, ServerFrameBodies, ServerFrameType } from '../../protocol/index.ts';
import type { ResolvedOptions } from './options.ts';

/** An item in the conversation, with the item it follows (absent for the first one). */
export interface LoggedItem {
  item: ConversationItem & { id: string };
  previousItemId?: string;
}

/** Where an error comes from: the offending field and the client frame's `event_id`. */
export interface ErrorSource {
  param?: string;
  eventId?: string;
}

export interface SessionContext {
  readonly id: string;
  readonly options: ResolvedOptions;
  /** Sends one frame (dropped once the session is closed). */
  send<T extends ServerFrameType>(type: T, body: ServerFrameBodies[T]): void;
  error(code: ErrorCode, message: string, source?: ErrorSource): void;
  /** Appends an item to the conversation and sends `conversation.item.added`. */
  addItem(item: LoggedItem['item']): LoggedItem;
  /** Sends `conversation.item.done` for an item in its current state. */
  doneItem(entry: LoggedItem): void;
  /** Runs `fn` (a timer or callback entry point); an exception ends the session via crash(). */
  guard(fn: () => void): void;
  /** Ends the session after an unexpected exception: `internal_error`, then close 1011. */
  crash(error: unknown): void;
}
