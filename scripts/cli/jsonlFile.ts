/**
 * Append-only JSON Lines output (`npm run batch -- … --jsonl rows.jsonl`, issue #15): one JSON
 * object per row per line, with the same discipline as the CSVs (csvFile.ts):
 *
 * - rows are appended as they complete, whole lines per write(2) (appendFile.ts), fsync every
 *   2 s, so the file is always a JSON Lines file of completed rows, at worst plus one partial
 *   last line after a kill in the middle of a write;
 * - on resume, `scanJsonlFile` finds that partial line (no line end, or not parseable) and it is
 *   cut off and redone; a bad line in the *middle* is refused (not written by an interrupted run);
 * - JSON.stringify never emits a raw line break, so one row is one physical line.
 */
import { existsSync, statSync } from 'node:fs';
import { AppendOnlyFile, checkWritable, scanLines } from './appendFile';
import { rowKey } from './csvFile';

/** What the key needs from a row, in memory (BatchRow) or parsed back from a line. */
export interface KeyedRow {
  path: string;
  video?: { time: number };
}

/**
 * Identity of a row for resume: the path, plus the frame time for video rows, rounded as the
 * results CSV's `video_time_s` column is (so the JSONL and the CSV agree on which row is which).
 */
export function jsonlKey(row: KeyedRow): string {
  return rowKey(row.path, row.video ? Number(row.video.time.toFixed(3)) : undefined);
}

export interface ScannedJsonl {
  /** Keys of the complete rows, in file order. */
  keys: string[];
  /** Byte length of the valid prefix (complete, parseable lines). */
  validBytes: number;
  /** What was wrong with the last line, if anything. */
  tailProblem?: string;
}


/** Why a line is not one of our rows, or undefined with the row when it is. */
function parseLine(line: string): { row?: KeyedRow; why?: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    return { why: `not JSON (${(e as Error).message})` };
  }
  const v = value as Partial<KeyedRow> | null;
  if (!v || typeof v !== 'object' || Array.isArray(v) || typeof v.path !== 'string') return { why: 'not a row object with a "path"' };
  if (v.video !== undefined && (typeof v.video !== 'object' || v.video === null || typeof v.video.time !== 'number')) return { why: 'its "video" has no numeric "time"' };
  return { row: v as KeyedRow };
}

/** Reads a JSON Lines file written by this module, line by line (bounded memory apart from the key list). */
export function scanJsonlFile(path: string): ScannedJsonl {
  const keys: string[] = [];
  const scan = scanLines(path, (line) => {
    if (line.trim() === '') return undefined;
    const { row, why } = parseLine(line);
    if (!row) return why!;
    keys.push(jsonlKey(row));
    return undefined;
  });
  let tailProblem: string | undefined;
  if (scan.badLast) tailProblem = `last line (line ${scan.badLast.line}) is not a valid row: ${scan.badLast.why}`;
  else if (scan.unterminated) tailProblem = `last line (line ${scan.unterminated}) has no line end`;
  return { keys, validBytes: scan.validBytes, tailProblem };
}

export interface JsonlOutputOptions {
  resume?: boolean;
  syncEveryMs?: number;
  /** Called when a partial last line is cut off on resume (for the CLI's log). */
  onTruncate?: (message: string) => void;
}

export class JsonlOutput {
  private readonly present: Set<string>;

  private constructor(
    private readonly file: AppendOnlyFile,
    keys: string[],
  ) {
    this.present = new Set(keys);
  }

  get path(): string {
    return this.file.path;
  }

  /** Opens `path` fresh (truncating it) or, with resume, after its complete lines (a partial last line is cut). */
  static open(path: string, opts: JsonlOutputOptions = {}): JsonlOutput {
    checkWritable(path);
    const resuming = opts.resume && existsSync(path) && statSync(path).size > 0;
    if (!resuming) return new JsonlOutput(AppendOnlyFile.open(path, undefined, opts.syncEveryMs), []);
    const scan = scanJsonlFile(path);
    const file = AppendOnlyFile.open(path, scan.validBytes, opts.syncEveryMs);
    if (scan.tailProblem) opts.onTruncate?.(`${path}: ${scan.tailProblem}; cut it off, that item is redone`);
    return new JsonlOutput(file, scan.keys);
  }

  has(key: string): boolean {
    return this.present.has(key);
  }

  get rowCount(): number {
    return this.present.size;
  }

  /** Appends one line per record whose key is not in the file yet (also within this call). */
  append(records: { key: string; value: unknown }[]): void {
    const fresh: typeof records = [];
    const batch = new Set<string>();
    for (const r of records) {
      if (this.present.has(r.key) || batch.has(r.key)) continue;
      batch.add(r.key);
      fresh.push(r);
    }
    if (fresh.length === 0) return;
    this.file.append(fresh.map((r) => JSON.stringify(r.value) + '\n').join(''), this.present.size);
    for (const k of batch) this.present.add(k);
  }

  sync(): void {
    this.file.sync();
  }

  close(): void {
    this.file.close();
  }
}
