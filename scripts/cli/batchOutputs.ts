/**
 * The CLI's streamed outputs (results CSV and features CSV), written as rows complete.
 *
 * Order of writes: the features CSV first, the results CSV last. Resume skips an input when
 * it is in the *results* CSV (the primary), so a kill between the two writes can only leave a
 * row in features.csv that the resumed run computes again — and features.csv skips keys it
 * already has. Neither file ever gets a row twice.
 */
import type { BatchRow } from '../../src/batch/batchTypes';
import { featuresRecord, resultRecord } from '../../src/batch/exportRows';
import { CsvOutput, rowKey, type CsvRecord } from './csvFile';

interface Target {
  output: CsvOutput;
  record: (r: BatchRow) => CsvRecord | undefined;
}

export class BatchOutputs {
  private readonly targets: Target[] = [];
  private readonly primary: CsvOutput;
  /**
   * Rows held back until one with a face arrives: the header takes its columns from the first
   * rows written, and only a face row carries the pack's 3D parameter columns.
   */
  private held: BatchRow[] = [];

  constructor(opts: { out?: string; features?: string; resume?: boolean; log?: (m: string) => void }) {
    const common = { resume: opts.resume, onTruncate: opts.log };
    // Open (and check) every output before any work starts: an unwritable path fails now.
    if (opts.features) this.targets.push({ output: CsvOutput.open(opts.features, common), record: (r) => (r.status === 'ok' ? featuresRecord(r) : undefined) });
    if (opts.out) this.targets.push({ output: CsvOutput.open(opts.out, common), record: resultRecord });
    if (this.targets.length === 0) throw new Error('no output file given');
    this.primary = this.targets[this.targets.length - 1].output;
  }

  /** Already in the primary output (resume). Images only: the CLI has no video rows. */
  has(path: string): boolean {
    return this.primary.has(path);
  }

  get rowsInPrimary(): number {
    return this.primary.rowCount;
  }

  write(rows: readonly BatchRow[]): void {
    const needsHeader = this.targets.some((t) => t.output.rowCount === 0);
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
    for (const t of this.targets) {
      const recs = ordered.flatMap((r) => {
        const record = t.record(r);
        return record ? [{ key: rowKey(r.path, r.video ? record.video_time_s : undefined), record }] : [];
      });
      t.output.append(recs);
    }
  }

  /** Writes what is held back (a run without any face) and closes the files. */
  close(): void {
    const rest = this.held;
    this.held = [];
    if (rest.length) this.flush(rest, true);
    for (const t of this.targets) t.output.close();
  }
}
