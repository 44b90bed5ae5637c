/**
 * The CLI's streamed outputs (results CSV, features CSV, JSON Lines), written as rows complete.
 *
 * Order of writes: the features CSV first, then the JSON Lines, the results CSV last. Resume
 * skips an input when it is in the *results* CSV (the primary; the last output given when there
 * is no results CSV), so a kill between two writes can only leave a row in a secondary output
 * that the resumed run computes again — and every output skips keys it already has. No file
 * ever gets a row twice.
 */
import type { BatchRow } from '../../src/batch/batchTypes';
import { featuresRecord, jsonRow, resultRecord } from '../../src/batch/exportRows';
import { CsvOutput, rowKey } from './csvFile';
import { JsonlOutput, jsonlKey } from './jsonlFile';

interface Target {
  /** Only a CSV takes its header from the first rows written (see `held`). */
  needsHeader: () => boolean;
  has: (key: string) => boolean;
  rowCount: () => number;
  write: (rows: readonly BatchRow[]) => void;
  close: () => void;
}

function csvTarget(output: CsvOutput, record: (r: BatchRow) => Record<string, string | number> | undefined): Target {
  return {
    needsHeader: () => output.rowCount === 0,
    has: (k) => output.has(k),
    rowCount: () => output.rowCount,
    write: (rows) =>
      output.append(
        rows.flatMap((r) => {
          const rec = record(r);
          return rec ? [{ key: rowKey(r.path, r.video ? rec.video_time_s : undefined), record: rec }] : [];
        }),
      ),
    close: () => output.close(),
  };
}

function jsonlTarget(output: JsonlOutput): Target {
  return {
    needsHeader: () => false,
    has: (k) => output.has(k),
    rowCount: () => output.rowCount,
    write: (rows) => output.append(rows.map((r) => ({ key: jsonlKey(r), value: jsonRow(r) }))),
    close: () => output.close(),
  };
}

export class BatchOutputs {
  private readonly targets: Target[] = [];
  private readonly primary: Target;
  /**
   * Rows held back until one with a face arrives: a CSV header takes its columns from the first
   * rows written, and only a face row carries the pack's 3D parameter columns.
   */
  private held: BatchRow[] = [];

  constructor(opts: { out?: string; features?: string; jsonl?: string; resume?: boolean; log?: (m: string) => void }) {
    const common = { resume: opts.resume, onTruncate: opts.log };
    // Open (and check) every output before any work starts: an unwritable path fails now.
    if (opts.features) this.targets.push(csvTarget(CsvOutput.open(opts.features, common), (r) => (r.status === 'ok' ? featuresRecord(r) : undefined)));
    if (opts.jsonl) this.targets.push(jsonlTarget(JsonlOutput.open(opts.jsonl, common)));
    if (opts.out) this.targets.push(csvTarget(CsvOutput.open(opts.out, common), resultRecord));
    if (this.targets.length === 0) throw new Error('no output file given');
    this.primary = this.targets[this.targets.length - 1];
  }

  /** Already in the primary output (resume). Images only: the CLI has no video rows. */
  has(path: string): boolean {
    return this.primary.has(path);
  }

  get rowsInPrimary(): number {
    return this.primary.rowCount();
  }

  write(rows: readonly BatchRow[]): void {
    const needsHeader = this.targets.some((t) => t.needsHeader());
    if (needsHeader && this.held.length + rows.length > 0 && !rows.some((r) => r.status === 'ok') && this.held.length < 10_000) {
      this.held.push(...rows);
      return;
    }
    const all = this.held.length ? [...this.held, ...rows] : rows;
    this.held = [];
    this.flush(all, needsHeader);
  }

  private flush(all: readonly BatchRow[], needsHeader: boolean): void {
    // Rows with a face first, so a fresh file's header has the feature columns.
    const ordered = needsHeader ? [...all.filter((r) => r.status === 'ok'), ...all.filter((r) => r.status !== 'ok')] : all;
    for (const t of this.targets) t.write(ordered);
  }

  /** Writes what is held back (a run without any face) and closes the files. */
  close(): void {
    const rest = this.held;
    this.held = [];
    if (rest.length) this.flush(rest, true);
    for (const t of this.targets) t.close();
  }
}
