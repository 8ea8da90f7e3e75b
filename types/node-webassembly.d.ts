// Node has the WebAssembly global, but TypeScript declares its JS API only in the DOM
// library, which server code is checked without (tsconfig.node.json, tsconfig.server.json).
// What the server uses (src/server/tts: compile a WASI module, instantiate it synchronously
// in its worker thread, read its memory).
declare namespace WebAssembly {
  interface Module {}
  interface Instance {
    readonly exports: Record<string, unknown>;
  }
  interface Memory {
    readonly buffer: ArrayBuffer;
    grow(delta: number): number;
  }
  type ImportValue = unknown;
  type ModuleImports = Record<string, ImportValue>;
  type Imports = Record<string, ModuleImports>;
  const Instance: { new (module: Module, imports?: Imports): Instance };
  function compile(bytes: ArrayBufferView | ArrayBuffer): Promise<Module>;
  function instantiate(module: Module, imports?: Imports): Promise<Instance>;
}
