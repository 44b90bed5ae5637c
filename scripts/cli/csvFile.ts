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
 *   (The writing itself is appendFile.ts, shared with the JSON Lines output.)
 */
import { existsSync, statSync } from 'node:fs';
import Papa from 'papaparse';
import { AppendOnlyFile, checkWritable, OutputError, scanLines } from './appendFile';

export { OutputError };

export type CsvRecord = Record<string, string | number>;

/** Identity of a row for resume / merge: the path, plus the frame time for video rows. */
export function rowKey(path: string, videoTime: string | number | undefined): string {
  return videoTime === undefined || videoTime === '' ? path : `${path}#${videoTime}`;
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


/**
 * Reads a CSV written by this module line by line (bounded memory apart from the key list).
 * A last line without a line end, or with the wrong column count, is reported as the tail
 * problem and excluded from validBytes; a bad line in the middle is an error (not ours).
 */
export function scanCsvFile(path: string, keyColumns: { path: string; time?: string } = { path: 'path', time: 'video_time_s' }): ScannedCsv {
  let header: string[] | undefined;
  let pathIdx = -1;
  let timeIdx = -1;
  const keys: string[] = [];
  const seen = new Set<string>();
  const duplicates: string[] = [];
  const scan = scanLines(path, (line) => {
    if (line === '') return undefined;
    const fields = (Papa.parse<string[]>(line, { header: false }).data[0] ?? []) as string[];
    if (!header) {
      header = fields;
      pathIdx = header.indexOf(keyColumns.path);
      timeIdx = keyColumns.time ? header.indexOf(keyColumns.time) : -1;
      if (pathIdx < 0) throw new OutputError(`${path}: no "${keyColumns.path}" column in the header, so it is not an output of this tool`);
      return undefined;
    }
    if (fields.length !== header.length) return `${fields.length} columns, header has ${header.length}`;
    const key = rowKey(fields[pathIdx], timeIdx >= 0 ? fields[timeIdx] : undefined);
    if (seen.has(key)) duplicates.push(key);
    else seen.add(key);
    keys.push(key);
    return undefined;
  });
  let tailProblem: string | undefined;
  if (scan.badLast) tailProblem = `last row (line ${scan.badLast.line}) is incomplete: ${scan.badLast.why}`;
  else if (scan.unterminated) tailProblem = `last row (line ${scan.unterminated}) has no line end`;
  return { header: header ?? [], keys, validBytes: scan.validBytes, tailProblem, duplicates };
}

export interface CsvOutputOptions {
  resume?: boolean;
  syncEveryMs?: number;
  /** Called when a partial last row is cut off on resume (for the CLI's log). */
  onTruncate?: (message: string) => void;
}

export class CsvOutput {
  private header?: string[];
  private readonly present = new Set<string>();

  private constructor(
    private readonly file: AppendOnlyFile,
    header: string[] | undefined,
    keys: string[],
  ) {
    this.header = header;
    for (const k of keys) this.present.add(k);
  }

  get path(): string {
    return this.file.path;
  }

  /**
   * Opens `path` for a fresh run (truncating it) or, with resume, for appending after its
   * complete rows (a partial last row is cut off and will be redone).
   */
  static open(path: string, opts: CsvOutputOptions = {}): CsvOutput {
    checkWritable(path);
    const resuming = opts.resume && existsSync(path) && statSync(path).size > 0;
    if (!resuming) return new CsvOutput(AppendOnlyFile.open(path, undefined, opts.syncEveryMs), undefined, []);
    const scan = scanCsvFile(path);
    const file = AppendOnlyFile.open(path, scan.validBytes, opts.syncEveryMs);
    if (scan.tailProblem) opts.onTruncate?.(`${path}: ${scan.tailProblem}; cut it off, that item is redone`);
    return new CsvOutput(file, scan.header.length ? scan.header : undefined, scan.keys);
  }

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
    this.file.append(text, this.present.size);
    for (const r of fresh) this.present.add(r.key);
  }

  sync(): void {
    this.file.sync();
  }

  close(): void {
    this.file.close();
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
