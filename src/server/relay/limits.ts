// Concurrent-session counters keyed by token id or client IP.
export class ConcurrencyCounter {
  readonly #counts = new Map<string, number>();

  constructor(readonly limit: number) {}

  /** Takes a slot; false (and nothing taken) when the key is at its limit. */
  tryAcquire(key: string): boolean {
    const n = this.#counts.get(key) ?? 0;
    if (n >= this.limit) return false;
    this.#counts.set(key, n + 1);
    return true;
  }

  release(key: string): void {
    const n = this.#counts.get(key) ?? 0;
    if (n <= 1) this.#counts.delete(key);
    else this.#counts.set(key, n - 1);
  }

  get keys(): number {
    return this.#counts.size;
  }
}
