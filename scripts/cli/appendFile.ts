/**
 * The append-only file under the CLI's streamed outputs (results CSV, features CSV, JSON Lines):
 * whole-batch writes at a tracked offset, a failed write rolled back so the file keeps only
 * complete records, fsync every `syncEveryMs` so a reboot (not only a killed process) keeps what
 * was written. The formats (CSV, JSONL) live in csvFile.ts / jsonlFile.ts; this is what they share.
 */
import { accessSync, closeSync, constants, existsSync, fsyncSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export class OutputError extends Error {
  override name = 'OutputError';
}

/** Fails at start, with a clear message, when `path` cannot be written. */
export function checkWritable(path: string): void {
  const dir = dirname(resolve(path));
  if (!existsSync(dir)) throw new OutputError(`cannot write ${path}: the folder ${dir} does not exist`);
  try {
    accessSync(existsSync(path) ? path : dir, constants.W_OK);
  } catch {
    throw new OutputError(`cannot write ${path}: ${existsSync(path) ? 'the file' : `the folder ${dir}`} is not writable`);
  }
}

export function openOrExplain(path: string, flags: string): number {
  try {
    return openSync(path, flags);
  } catch (e) {
    throw new OutputError(`cannot open ${path} for writing (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

export class AppendOnlyFile {
  private lastSync = Date.now();
  private closed = false;

  /**
   * `position` is where the next write goes: 0 for a fresh file, the valid prefix's length on
   * resume (after the caller cut a partial tail with `truncate`).
   */
  constructor(
    readonly path: string,
    private readonly fd: number,
    private position: number,
    private readonly syncEveryMs = 2000,
  ) {}

  /** Opens `path` fresh (truncated) or, for resume, after its first `validBytes` bytes (the rest is cut). */
  static open(path: string, resumeAt?: number, syncEveryMs?: number): AppendOnlyFile {
    if (resumeAt === undefined) return new AppendOnlyFile(path, openOrExplain(path, 'w'), 0, syncEveryMs);
    const fd = openOrExplain(path, 'r+');
    ftruncateSync(fd, resumeAt);
    return new AppendOnlyFile(path, fd, resumeAt, syncEveryMs);
  }

  /**
   * Writes `text` (whole records) at the end. On failure the part of it that made it is cut
   * off again, so the file stays a sequence of complete records, and the error names the file
   * and says what is intact (`recordsBefore`).
   */
  append(text: string, recordsBefore: number): void {
    if (this.closed) throw new OutputError(`${this.path} is closed`);
    const bytes = Buffer.from(text, 'utf8');
    let done = 0;
    try {
      while (done < bytes.length) {
        const n = writeSync(this.fd, bytes, done, bytes.length - done, this.position);
        done += n;
        this.position += n;
      }
    } catch (e) {
      this.position -= done;
      try {
        ftruncateSync(this.fd, this.position);
      } catch {
        /* nothing more we can do; resume will cut the partial record */
      }
      const code = (e as NodeJS.ErrnoException).code;
      const why = { ENOSPC: 'the disk is full', EDQUOT: 'the disk quota is used up', EFBIG: 'the file reached the size limit' }[code ?? ''] ?? (e as Error).message;
      throw new OutputError(`writing ${this.path} failed: ${why} (${code ?? 'error'}); the ${recordsBefore} rows written before are intact, rerun with --resume when there is space`);
    }
    if (Date.now() - this.lastSync > this.syncEveryMs) this.sync();
  }

  sync(): void {
    this.lastSync = Date.now();
    try {
      fsyncSync(this.fd);
    } catch {
      /* e.g. /dev/full or a pipe: nothing to sync */
    }
  }

  close(): void {
    if (this.closed) return;
    this.sync();
    this.closed = true;
    closeSync(this.fd);
  }
}
