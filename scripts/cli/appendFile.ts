/**
 * The append-only file under the CLI's streamed outputs (results CSV, features CSV, JSON Lines):
 * whole-batch writes at a tracked offset, a failed write rolled back so the file keeps only
 * complete records, fsync every `syncEveryMs` so a reboot (not only a killed process) keeps what
 * was written. The formats (CSV, JSONL) live in csvFile.ts / jsonlFile.ts; this is what they share.
 */
import { accessSync, closeSync, constants, existsSync, fsyncSync, ftruncateSync, openSync, readSync, statSync, writeSync } from 'node:fs';
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

const NL = 0x0a;

export interface ScannedLines {
  /** Bytes of the valid prefix: every complete line up to (not including) an invalid last one. */
  validBytes: number;
  /** The last line, when it is not a valid record (`onLine` said why). */
  badLast?: { line: number; why: string };
  /** The 1-based number of a last line that has no line end (a write cut by a kill). */
  unterminated?: number;
}

/**
 * Reads an output written by this tool line by line, in 1 MiB chunks (bounded memory). `onLine`
 * judges each complete line (undefined = fine, a string = why it is not a record). Only the last
 * line may be bad — a write cut by a kill; a bad line in the middle throws, since this tool never
 * writes one. Shared by the CSV and JSON Lines resume scans.
 */
export function scanLines(path: string, onLine: (line: string, lineNo: number) => string | undefined): ScannedLines {
  const fd = openSync(path, 'r');
  try {
    const size = statSync(path).size;
    const chunk = Buffer.alloc(1 << 20);
    let carry: Buffer = Buffer.alloc(0);
    let offset = 0; // bytes consumed into complete, valid lines
    let lineNo = 0;
    let pendingBad: { line: number; why: string } | undefined;
    for (let pos = 0; pos < size; ) {
      const n = readSync(fd, chunk, 0, chunk.length, pos);
      if (n <= 0) break;
      pos += n;
      const buf = carry.length ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      let start = 0;
      for (let i = buf.indexOf(NL, start); i !== -1; i = buf.indexOf(NL, start)) {
        const line = buf.toString('utf8', start, i).replace(/\r$/, '');
        const lineStart = offset;
        offset += i + 1 - start;
        start = i + 1;
        lineNo++;
        if (pendingBad) throw new OutputError(`${path}: line ${pendingBad.line} is not a valid row (${pendingBad.why}); not written by an interrupted run, refusing to resume over it`);
        const why = onLine(line, lineNo);
        if (why !== undefined) {
          pendingBad = { line: lineNo, why };
          offset = lineStart; // not part of the valid prefix (if it turns out to be the last line)
        }
      }
      carry = Buffer.from(buf.subarray(start));
    }
    return { validBytes: offset, ...(pendingBad ? { badLast: pendingBad } : carry.length ? { unterminated: lineNo + 1 } : {}) };
  } finally {
    closeSync(fd);
  }
}
