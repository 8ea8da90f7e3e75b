// Runs a WASI (preview1) command module such as flite.wasm entirely in memory: arguments
// in, the files it writes under one virtual directory out. Only the 13 calls Flite imports
// are implemented, with no host file system behind them.
//
// Why not node:wasi: every node:wasi instance opens its preopened directory on the host
// and never closes it (Node 20's uvwasi frees the fd table without closing the fds, even
// once the instance is garbage collected), so each synthesis leaked one fd and the native
// state behind it. Node's WASI calls are also V8 "fast API calls", which corrupt the heap
// on x86-64 once hot (nodejs/node#53087). Plain JS imports have neither problem.

const ERRNO = { SUCCESS: 0, BADF: 8, INVAL: 28, NOENT: 44, NOTSUP: 58, SPIPE: 70 } as const;
const FILETYPE = { CHARACTER_DEVICE: 2, DIRECTORY: 3, REGULAR_FILE: 4 } as const;
const OFLAGS = { CREAT: 1, DIRECTORY: 2, EXCL: 4, TRUNC: 8 } as const;
const ALL_RIGHTS = 0xffff_ffff_ffff_ffffn;
const PREOPEN_FD = 3;
/** Kept of what the program prints on stdout/stderr (for error messages only). */
const CONSOLE_KEEP = 4096;

class Exit {
  constructor(readonly code: number) {}
}

/** A growable in-memory file. */
class MemFile {
  bytes = new Uint8Array(0);
  size = 0;
  position = 0;

  write(chunk: Uint8Array): void {
    const end = this.position + chunk.length;
    if (end > this.bytes.length) {
      const grown = new Uint8Array(Math.max(end, this.bytes.length * 2, 64 * 1024));
      grown.set(this.bytes.subarray(0, this.size));
      this.bytes = grown;
    }
    this.bytes.set(chunk, this.position);
    this.position = end;
    this.size = Math.max(this.size, end);
  }

  contents(): Uint8Array {
    return this.bytes.slice(0, this.size);
  }
}

export interface CommandResult {
  exitCode: number;
  /** Files the program created in the virtual directory, by name. */
  files: Map<string, Uint8Array>;
  /** The first few kB the program wrote to stdout and stderr. */
  console: string;
}

/**
 * Instantiates `module` and runs its `_start` with `args` (args[0] is the program name).
 * The program sees one empty directory, `dir` (e.g. "/out"); paths it opens there are
 * relative names. Synchronous: run it in a worker when the caller must stay responsive.
 */
export function runWasiCommand(module: WebAssembly.Module, args: readonly string[], dir: string): CommandResult {
  const encoder = new TextEncoder();
  const argBytes = args.map((a) => encoder.encode(`${a}\0`));
  const dirName = encoder.encode(dir);
  const files = new Map<string, MemFile>();
  const open = new Map<number, MemFile>();
  let nextFd = PREOPEN_FD + 1;
  let consoleText = '';
  let memory!: WebAssembly.Memory;
  const view = () => new DataView(memory.buffer);
  const bytes = () => new Uint8Array(memory.buffer);

  /** The iovec list at `iovs` (each `{buf: u32, len: u32}`) as views into memory. */
  const iovecs = (iovs: number, count: number): Uint8Array[] => {
    const v = view();
    return Array.from({ length: count }, (_, i) => new Uint8Array(memory.buffer, v.getUint32(iovs + i * 8, true), v.getUint32(iovs + i * 8 + 4, true)));
  };

  const wasi = {
    args_sizes_get(countPtr: number, bufSizePtr: number): number {
      view().setUint32(countPtr, argBytes.length, true);
      view().setUint32(bufSizePtr, argBytes.reduce((n, a) => n + a.length, 0), true);
      return ERRNO.SUCCESS;
    },
    args_get(argvPtr: number, bufPtr: number): number {
      let at = bufPtr;
      argBytes.forEach((a, i) => {
        view().setUint32(argvPtr + i * 4, at, true);
        bytes().set(a, at);
        at += a.length;
      });
      return ERRNO.SUCCESS;
    },
    clock_time_get(_id: number, _precision: bigint, timePtr: number): number {
      view().setBigUint64(timePtr, process.hrtime.bigint(), true);
      return ERRNO.SUCCESS;
    },
    fd_close(fd: number): number {
      return open.delete(fd) ? ERRNO.SUCCESS : ERRNO.BADF;
    },
    fd_fdstat_get(fd: number, statPtr: number): number {
      const type = fd <= 2 ? FILETYPE.CHARACTER_DEVICE : fd === PREOPEN_FD ? FILETYPE.DIRECTORY : open.has(fd) ? FILETYPE.REGULAR_FILE : 0;
      if (type === 0) return ERRNO.BADF;
      const v = view();
      v.setUint8(statPtr, type);
      v.setUint16(statPtr + 2, 0, true);
      v.setBigUint64(statPtr + 8, ALL_RIGHTS, true);
      v.setBigUint64(statPtr + 16, ALL_RIGHTS, true);
      return ERRNO.SUCCESS;
    },
    fd_fdstat_set_flags(fd: number): number {
      return fd <= PREOPEN_FD || open.has(fd) ? ERRNO.SUCCESS : ERRNO.BADF;
    },
    fd_prestat_get(fd: number, prestatPtr: number): number {
      if (fd !== PREOPEN_FD) return ERRNO.BADF; // ends wasi-libc's scan for preopens
      view().setUint8(prestatPtr, 0); // a directory
      view().setUint32(prestatPtr + 4, dirName.length, true);
      return ERRNO.SUCCESS;
    },
    fd_prestat_dir_name(fd: number, pathPtr: number, pathLen: number): number {
      if (fd !== PREOPEN_FD) return ERRNO.BADF;
      bytes().set(dirName.subarray(0, pathLen), pathPtr);
      return ERRNO.SUCCESS;
    },
    fd_read(fd: number, _iovs: number, _count: number, nreadPtr: number): number {
      if (fd !== 0) return ERRNO.BADF; // output files are write-only here
      view().setUint32(nreadPtr, 0, true); // stdin is empty
      return ERRNO.SUCCESS;
    },
    fd_seek(fd: number, offset: bigint, whence: number, newOffsetPtr: number): number {
      const file = open.get(fd);
      if (!file) return fd <= 2 ? ERRNO.SPIPE : ERRNO.BADF;
      const base = whence === 0 ? 0 : whence === 1 ? file.position : whence === 2 ? file.size : -1;
      const position = base + Number(offset);
      if (base < 0 || position < 0) return ERRNO.INVAL;
      file.position = position;
      view().setBigUint64(newOffsetPtr, BigInt(position), true);
      return ERRNO.SUCCESS;
    },
    fd_write(fd: number, iovs: number, count: number, nwrittenPtr: number): number {
      const file = open.get(fd);
      if (!file && fd !== 1 && fd !== 2) return ERRNO.BADF;
      let written = 0;
      for (const chunk of iovecs(iovs, count)) {
        if (file) file.write(chunk);
        else if (consoleText.length < CONSOLE_KEEP) consoleText += new TextDecoder().decode(chunk).slice(0, CONSOLE_KEEP - consoleText.length);
        written += chunk.length;
      }
      view().setUint32(nwrittenPtr, written, true);
      return ERRNO.SUCCESS;
    },
    path_open(
      dirFd: number, _dirFlags: number, pathPtr: number, pathLen: number, oflags: number,
      _rightsBase: bigint, _rightsInheriting: bigint, _fdFlags: number, fdPtr: number,
    ): number {
      if (dirFd !== PREOPEN_FD) return ERRNO.BADF;
      if (oflags & OFLAGS.DIRECTORY) return ERRNO.NOTSUP;
      const name = new TextDecoder().decode(bytes().slice(pathPtr, pathPtr + pathLen));
      let file = files.get(name);
      if (!file) {
        if (!(oflags & OFLAGS.CREAT)) return ERRNO.NOENT;
        file = new MemFile();
        files.set(name, file);
      } else if (oflags & OFLAGS.TRUNC) {
        file.size = 0;
      }
      file.position = 0;
      const fd = nextFd++;
      open.set(fd, file);
      view().setUint32(fdPtr, fd, true);
      return ERRNO.SUCCESS;
    },
    proc_exit(code: number): never {
      throw new Exit(code);
    },
  };

  const instance = new WebAssembly.Instance(module, { wasi_snapshot_preview1: wasi });
  memory = instance.exports.memory as WebAssembly.Memory;
  let exitCode = 0;
  try {
    (instance.exports._start as () => void)();
  } catch (e) {
    if (!(e instanceof Exit)) throw e;
    exitCode = e.code;
  }
  return {
    exitCode,
    files: new Map([...files].map(([name, file]) => [name, file.contents()])),
    console: consoleText,
  };
}
