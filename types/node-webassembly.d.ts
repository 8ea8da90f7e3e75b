// Node has the WebAssembly global, but TypeScript declares its JS API only in the DOM
// library, which server code is checked without (tsconfig.node.json, tsconfig.server.json).
// What the server uses (src/server/tts/flite.ts: compile and instantiate a WASI module).
declare namespace WebAssembly {
  interface Module {}
  interface Instance {
    readonly exports: Record<string, unknown>;
  }
  type Imports = Record<string, Record<string, unknown>>;
  function compile(bytes: ArrayBufferView | ArrayBuffer): Promise<Module>;
  function instantiate(module: Module, imports?: Imports): Promise<Instance>;
}
