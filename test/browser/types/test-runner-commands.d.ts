// The part of @web/test-runner-commands the browser tests use. Its own types reach Node's
// (through the ws types of its server side), which browser code is checked without
// (tsconfig.browser.json maps the module here).
declare module '@web/test-runner-commands' {
  export function executeServerCommand<R, P = unknown>(command: string, payload?: P): Promise<R>;
  export function sendKeys(payload: { press: string } | { type: string } | { down: string } | { up: string }): Promise<void>;
}
