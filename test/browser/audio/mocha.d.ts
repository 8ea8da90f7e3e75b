// Mocha's globals as web-test-runner provides them (the project has no @types/mocha).
interface MochaContext {
  timeout(ms: number): void;
  /** Marks the running test skipped (use test/browser/support/engine.ts's itExcept: it says why). */
  skip(): never;
}
type MochaTestFn = (this: MochaContext) => unknown;
declare function describe(name: string, fn: (this: MochaContext) => void): void;
declare const it: {
  (name: string, fn: MochaTestFn): void;
  skip(name: string, fn?: MochaTestFn): void;
};
declare function before(fn: (this: MochaContext) => unknown): void;
declare function after(fn: (this: MochaContext) => unknown): void;
declare function beforeEach(fn: (this: MochaContext) => unknown): void;
declare function afterEach(fn: (this: MochaContext) => unknown): void;
