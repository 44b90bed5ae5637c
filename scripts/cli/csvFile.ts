/**
 * Append-only CSV output for dataset-scale runs (issue #15).
 *
 * - Rows are appended as they complete, whole lines per write(2), so the file on disk is always
 *   a valid CSV of completed rows (at worst, a kill in the middle of a write leaves one partial
 *   last line, which `scanCsvFile` detects and `openCsvOutput({ resume: true })` truncates).
 * - One record = one physical line: newlines inside values are replaced by spaces, so the
 *   resume reader can work on byte offsets without a full CSV state machine over 400k rows.
 * - papaparse does the quoting, exactly as for the Batch tab's exports.
 * - fsync every `syncEveryMs` so a reboot (not only a killed process) keeps what was written.
 */
import { closeSync, fsyncSync, ftruncateSync, openSync, readSync, statSync, writeSync, existsSync, accessSync, constants } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Papa from 'papaparse';

export type CsvRecord = Record<string, string | number>;

/** Identity of a row for resume / merge: the path, plus the frame time for video rows. */
export function rowKey(path: string, videoTime: string | number | undefined): string {
  return videoTime === undefined || videoTime === '' ? path : `${path}#${videoTime}`;
}

export class OutputError extends Error {
  override name = 'OutputError';
}

export interface ScannedCsv {
  header: string[];
  /** Keys (rowKey) of the complete rows, in file order. */
  keys: string[];
  /** Byte length of the valid prefix (header + complete rows). */
  validBytes: number;
  /** What was wrong with the tail, if anything (e.g. "last row has no line end"). */
  tailProblem?: string;
  /** Keys that occur more than once. */
  duplicates: string[];
}

const NL = 0x0a;

/**
 * Reads a CSV written by this module line by line (bounded memory apart from the key list).
 * A last line without a line end, or with the wrong column count, is reported as the tail
 * problem and excluded from validBytes; a bad line in the middle is an error (not ours).
 */
export function scanCsvFile(path: string, keyColumns: { path: string; time?: string } = { path: 'path', time: 'video_time_s' }): ScannedCsv {
  const fd = openSync(path, 'r');
  try {
    const size = statSync(path).size;
    const chunk = Buffer.alloc(1 << 20);
    let carry: Buffer = Buffer.alloc(0);
    let offset = 0; // bytes consumed into complete lines
    let header: string[] | undefined;
    let pathIdx = -1;
    let timeIdx = -1;
    const keys: string[] = [];
    const seen = new Set<string>();
    const duplicates: string[] = [];
    let lineNo = 0;
    let pendingBad: { line: number; why: string; start: number } | undefined;
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
        if (line === '') continue;
        const fields = (Papa.parse<string[]>(line, { header: false }).data[0] ?? []) as string[];
        if (!header) {
          header = fields;
          pathIdx = header.indexOf(keyColumns.path);
          timeIdx = keyColumns.time ? header.indexOf(keyColumns.time) : -1;
          if (pathIdx < 0) throw new OutputError(`${path}: no "${keyColumns.path}" column in the header, so it is not an output of this tool`);
          continue;
        }
        if (fields.length !== header.length) {
          pendingBad = { line: lineNo, why: `${fields.length} columns, header has ${header.length}`, start: lineStart };
          offset = lineStart; // not part of the valid prefix (if it turns out to be the last line)
          continue;
        }
        const key = rowKey(fields[pathIdx], timeIdx >= 0 ? fields[timeIdx] : undefined);
        if (seen.has(key)) duplicates.push(key);
        else seen.add(key);
        keys.push(key);
      }
      carry = Buffer.from(buf.subarray(start));
    }
    let tailProblem: string | undefined;
    if (pendingBad) tailProblem = `last row (line ${pendingBad.line}) is incomplete: ${pendingBad.why}`;
    else if (carry.length) tailProblem = `last row (line ${lineNo + 1}) has no line end`;
    return { header: header ?? [], keys, validBytes: offset, tailProblem, duplicates };
  } finally {
    closeSync(fd);
  }
}

export interface CsvOutputOptions {
  resume?: boolean;
  syncEveryMs?: number;
  /** Called when a partial last row is cut off on resume (for the CLI's log). */
  onTruncate?: (message: string) => void;
}

/** Fails at start, with a clear message, when `path` cannot be written. */
function checkWritable(path: string): void {
  const dir = dirname(resolve(path));
  if (!existsSync(dir)) throw new OutputError(`cannot write ${path}: the folder ${dir} does not exist`);
  try {
    accessSync(existsSync(path) ? path : dir, constants.W_OK);
  } catch {
    throw new OutputError(`cannot write ${path}: ${existsSync(path) ? 'the file' : `the folder ${dir}`} is not writable`);
  }
}

export class CsvOutput {
  private header?: string[];
  private readonly present = new Set<string>();
  private lastSync = Date.now();
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly fd: number,
    private readonly syncEveryMs: number,
    header: string[] | undefined,
    keys: string[],
  ) {
    this.header = header;
    for (const k of keys) this.present.add(k);
  }

  /**
   * Opens `path` for a fresh run (truncating it) or, with resume, for appending after its
   * complete rows (a partial last row is cut off and will be redone).
   */
  static open(path: string, opts: CsvOutputOptions = {}): CsvOutput {
    checkWritable(path);
    const resuming = opts.resume && existsSync(path) && statSync(path).size > 0;
    if (!resuming) return new CsvOutput(path, openOrExplain(path, 'w'), opts.syncEveryMs ?? 2000, undefined, []);
    const scan = scanCsvFile(path);
    const fd = openOrExplain(path, 'r+');
    if (scan.tailProblem) {
      ftruncateSync(fd, scan.validBytes);
      opts.onTruncate?.(`${path}: ${scan.tailProblem}; cut it off, that item is redone`);
    }
    const out = new CsvOutput(path, fd, opts.syncEveryMs ?? 2000, scan.header.length ? scan.header : undefined, scan.keys);
    out.position = scan.validBytes;
    return out;
  }

  private position = 0;

  /** Keys already in the file (resume). */
  has(key: string): boolean {
    return this.present.has(key);
  }

  get rowCount(): number {
    return this.present.size;
  }

  /**
   * Appends records (skipping keys already present). The header is the first batch's columns;
   * a later record with a column the header lacks is refused rather than silently dropped.
   */
  append(records: { key: string; record: CsvRecord }[]): void {
    if (this.closed) throw new OutputError(`${this.path} is closed`);
    const fresh = records.filter((r) => !this.present.has(r.key));
    if (fresh.length === 0) return;
    let text = '';
    if (!this.header) {
      this.header = unionColumns(fresh.map((r) => r.record));
      text += Papa.unparse([this.header], { newline: '\r\n' }) + '\r\n';
    }
    const header = this.header;
    for (const { record } of fresh) {
      const extra = Object.keys(record).filter((k) => !header.includes(k));
      if (extra.length) throw new OutputError(`${this.path}: a row has columns the file's header lacks (${extra.slice(0, 3).join(', ')}…): the output was started with another pack or layout; write to a new file`);
    }
    const data = fresh.map(({ record }) => header.map((f) => oneLine(record[f] ?? '')));
    text += Papa.unparse(data, { newline: '\r\n' }) + '\r\n';
    this.write(text);
    for (const r of fresh) this.present.add(r.key);
    if (Date.now() - this.lastSync > this.syncEveryMs) this.sync();
  }

  private write(text: string): void {
    const bytes = Buffer.from(text, 'utf8');
    let done = 0;
    try {
      while (done < bytes.length) {
        const n = writeSync(this.fd, bytes, done, bytes.length - done, this.position);
        done += n;
        this.position += n;
      }
    } catch (e) {
      // Keep the file a valid CSV of complete rows: drop whatever part of this batch made it.
      this.position -= done;
      try {
        ftruncateSync(this.fd, this.position);
      } catch {
        /* nothing more we can do; resume will cut the partial row */
      }
      const code = (e as NodeJS.ErrnoException).code;
      const why = { ENOSPC: 'the disk is full', EDQUOT: 'the disk quota is used up', EFBIG: 'the file reached the size limit' }[code ?? ''] ?? (e as Error).message;
      throw new OutputError(`writing ${this.path} failed: ${why} (${code ?? 'error'}); the ${this.present.size} rows written before are intact, rerun with --resume when there is space`);
    }
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

function openOrExplain(path: string, flags: string): number {
  try {
    return openSync(path, flags);
  } catch (e) {
    throw new OutputError(`cannot open ${path} for writing (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

function unionColumns(records: CsvRecord[]): string[] {
  const fields: string[] = [];
  const seen = new Set<string>();
  for (const r of records) {
    for (const k of Object.keys(r)) {
      if (!seen.has(k)) {
        seen.add(k);
        fields.push(k);
      }
    }
  }
  return fields;
}

function oneLine(v: string | number): string | number {
  return typeof v === 'string' && /[\r\n]/.test(v) ? v.replace(/[\r\n]+/g, ' ') : v;
}
