// The puppet server's control protocol (test/support/puppet-server.ts), shared with its
// browser side (puppet.ts): types only, so browser code never pulls in Node's.
export type PuppetCommand =
  | { op: 'send'; conn?: number; frame?: unknown; raw?: string }
  | { op: 'close'; conn?: number; code?: number; reason?: string }
  | { op: 'drop'; conn?: number }
  | { op: 'reject-next'; status: number; count?: number }
  /** Sends `frames` paced like a live stream: frame k at k·intervalMs, running up to leadMs ahead. */
  | { op: 'stream'; conn?: number; frames: unknown[]; intervalMs: number; leadMs?: number };

export type PuppetEvent =
  | { ev: 'open'; conn: number; url: string; origin?: string }
  | { ev: 'frame'; conn: number; data: string }
  | { ev: 'close'; conn: number; code: number; reason: string }
  | { ev: 'rejected'; status: number; url: string };
