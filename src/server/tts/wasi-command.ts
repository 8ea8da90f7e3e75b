// Runs a WASI (preview1) command module such as flite.wasm entirely in memory: arguments
// in, the files it writes under one virtual directory out. Only the 13 calls Flite imports
// are implemented, with no host file system behind them.
//
// Why not node:wasi: every node:wasi instance opens its preopened directory on the host
// and never closes it (Node 20's uvwasi frees its fd table without closing the fds, even
// once the instance is garbage collected), so each synthesis leaked one fd and the native
// state behind it. Node's WASI calls are also V8 "fast API calls", which corrupt the heap
// on x86-64 once hot (nodejs/node#53087). Plain JS imports have neither problem.
//
// One instance is reused: its memory is reset to a snapshot taken right after
// instantiation before every run. A fresh instance per run would leave a 17 MB memory per
// run for the garbage collector, which frees them late (RSS swung by tens of MB). Reuse is
// sound because a run that returns normally leaves the module's only mutable global (the
// C stack pointer) where it found it; after a trap or proc_exit it may not, so the
// instance is dropped and the next run instantiates afresh.

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

/** The state of one run, read by the WASI imports. */
class Run {
  readonly argBytes: Uint8Array[];
  readonly files = new Map<string, MemFile>();
  readonly open = new Map<number, MemFile>();
  nextFd = PREOPEN_FD + 1;
  console = '';

  constructor(args: readonly string[]) {
    const encoder = new TextEncoder();
    this.argBytes = args.map((a) => encoder.encode(`${a}\0`));
  }
}

/**
 * A WASI command program whose runs see one empty directory, `dir` (e.g. "/out"); paths
 * it opens there are relative names. run() is synchronous: call it in a worker when the
 * caller must stay responsive.
 */
export class WasiCommand {
  private instance: WebAssembly.Instance | undefined;
  private snapshot: Uint8Array | undefined;
  private run_: Run | undefined;
  private readonly dirName: Uint8Array;

  constructor(
    private readonly module: WebAssembly.Module,
    dir: string,
  ) {
    this.dirName = new TextEncoder().encode(dir);
  }

  /** Runs the program's `_start` with `args` (args[0] is the program name). */
  run(args: readonly string[]): CommandResult {
    const run = new Run(args);
    const instance = this.ready();
    this.run_ = run;
    let exitCode = 0;
    let reusable = false;
    try {
      (instance.exports._start as () => void)();
      reusable = true;
    } catch (e) {
      if (!(e instanceof Exit)) throw e;
      exitCode = e.code;
    } finally {
      this.run_ = undefined;
      if (!reusable) this.instance = undefined;
    }
    return { exitCode, files: new Map([...run.files].map(([name, file]) => [name, file.contents()])), console: run.console };
  }

  /** The instance, its memory back at the post-instantiation snapshot. */
  private ready(): WebAssembly.Instance {
    if (this.instance && this.snapshot) {
      const memory = new Uint8Array(this.memory().buffer);
      memory.set(this.snapshot);
      memory.fill(0, this.snapshot.length); // memory grown by the last run starts zeroed, as when fresh
      return this.instance;
    }
    this.instance = new WebAssembly.Instance(this.module, { wasi_snapshot_preview1: this.imports() });
    this.snapshot = new Uint8Array(this.memory().buffer).slice();
    return this.instance;
  }

  private memory(): WebAssembly.Memory {
    return this.instance!.exports.memory as WebAssembly.Memory;
  }

  private imports(): WebAssembly.ModuleImports {
    const view = () => new DataView(this.memory().buffer);
    const bytes = () => new Uint8Array(this.memory().buffer);
    const current = () => this.run_!;
    const dirName = this.dirName;
    /** The iovec list at `iovs` (each `{buf: u32, len: u32}`) as views into memory. */
    const iovecs = (iovs: number, count: number): Uint8Array[] => {
      const v = view();
      return Array.from({ length: count }, (_, i) => bytes().subarray(v.getUint32(iovs + i * 8, true), v.getUint32(iovs + i * 8, true) + v.getUint32(iovs + i * 8 + 4, true)));
    };
    return {
      args_sizes_get(countPtr: number, bufSizePtr: number): number {
        const { argBytes } = current();
        view().setUint32(countPtr, argBytes.length, true);
        view().setUint32(bufSizePtr, argBytes.reduce((n, a) => n + a.length, 0), true);
        return ERRNO.SUCCESS;
      },
      args_get(argvPtr: number, bufPtr: number): number {
        let at = bufPtr;
        current().argBytes.forEach((a, i) => {
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
        return current().open.delete(fd) ? ERRNO.SUCCESS : ERRNO.BADF;
      },
      fd_fdstat_get(fd: number, statPtr: number): number {
        const type = fd <= 2 ? FILETYPE.CHARACTER_DEVICE : fd === PREOPEN_FD ? FILETYPE.DIRECTORY : current().open.has(fd) ? FILETYPE.REGULAR_FILE : 0;
        if (type === 0) return ERRNO.BADF;
        const v = view();
        v.setUint8(statPtr, type);
        v.setUint16(statPtr + 2, 0, true);
        v.setBigUint64(statPtr + 8, ALL_RIGHTS, true);
        v.setBigUint64(statPtr + 16, ALL_RIGHTS, true);
        return ERRNO.SUCCESS;
      },
      fd_fdstat_set_flags(fd: number): number {
        return fd <= PREOPEN_FD || current().open.has(fd) ? ERRNO.SUCCESS : ERRNO.BADF;
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
        const file = current().open.get(fd);
        if (!file) return fd <= 2 ? ERRNO.SPIPE : ERRNO.BADF;
        const base = whence === 0 ? 0 : whence === 1 ? file.position : whence === 2 ? file.size : -1;
        const position = base + Number(offset);
        if (base < 0 || position < 0) return ERRNO.INVAL;
        file.position = position;
        view().setBigUint64(newOffsetPtr, BigInt(position), true);
        return ERRNO.SUCCESS;
      },
      fd_write(fd: number, iovs: number, count: number, nwrittenPtr: number): number {
        const run = current();
        const file = run.open.get(fd);
        if (!file && fd !== 1 && fd !== 2) return ERRNO.BADF;
        let written = 0;
        for (const chunk of iovecs(iovs, count)) {
          if (file) file.write(chunk);
          else if (run.console.length < CONSOLE_KEEP) run.console += new TextDecoder().decode(chunk).slice(0, CONSOLE_KEEP - run.console.length);
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
        const run = current();
        const name = new TextDecoder().decode(bytes().slice(pathPtr, pathPtr + pathLen));
        let file = run.files.get(name);
        if (!file) {
          if (!(oflags & OFLAGS.CREAT)) return ERRNO.NOENT;
          file = new MemFile();
          run.files.set(name, file);
        } else if (oflags & OFLAGS.TRUNC) {
          file.size = 0;
        }
        file.position = 0;
        const fd = run.nextFd++;
        run.open.set(fd, file);
        view().setUint32(fdPtr, fd, true);
        return ERRNO.SUCCESS;
      },
      proc_exit(code: number): never {
        throw new Exit(code);
      },
    };
  }
}
