/** The CLI's append-only CSV, resume scanner and shard selection (issue #15). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvOutput, OutputError, scanCsvFile } from '../../scripts/cli/csvFile';
import { parseShard, selectShard } from '../../scripts/cli/shard';
import { REPO } from './cliHarness';

const tmp = () => mkdtempSync(join(tmpdir(), 'ig3d-csv-'));
const rec = (i: number) => ({ key: `img${i}.png`, record: { path: `img${i}.png`, status: 'ok', p: i / 7, notes: i % 3 ? '' : 'line one\nline two, "quoted"' } });

describe('CsvOutput / scanCsvFile', () => {
  it('appends rows, one physical line each, and resumes after them without duplicates', () => {
    const path = join(tmp(), 'r.csv');
    const a = CsvOutput.open(path);
    a.append([0, 1, 2].map(rec));
    a.close();
    const b = CsvOutput.open(path, { resume: true });
    expect([0, 1, 2, 3].map((i) => b.has(`img${i}.png`))).toEqual([true, true, true, false]);
    b.append([2, 3].map(rec)); // img2 is already there: skipped
    b.close();
    const scan = scanCsvFile(path);
    expect(scan.keys).toEqual(['img0.png', 'img1.png', 'img2.png', 'img3.png']);
    expect(scan.tailProblem).toBeUndefined();
    expect(readFileSync(path, 'utf8')).toContain('"line one line two, ""quoted"""');
  });

  it('cuts a half-written last row on resume (no line end, or too few columns) and keeps the rest', () => {
    for (const tail of ['img9.png,ok', 'img9.png,ok\r\n']) {
      const path = join(tmp(), 'r.csv');
      const a = CsvOutput.open(path);
      a.append([0, 1].map(rec));
      a.close();
      const whole = readFileSync(path, 'utf8');
      writeFileSync(path, whole + tail);
      const notes: string[] = [];
      const b = CsvOutput.open(path, { resume: true, onTruncate: (m) => notes.push(m) });
      b.close();
      expect(notes[0]).toMatch(/last row \(line 4\) (has no line end|is incomplete: 2 columns, header has 4)/);
      expect(readFileSync(path, 'utf8')).toBe(whole);
    }
  });

  it('refuses to resume over a broken row in the middle of the file', () => {
    const path = join(tmp(), 'r.csv');
    writeFileSync(path, 'path,status\r\na.png,ok\r\nbroken\r\nb.png,ok\r\n');
    expect(() => CsvOutput.open(path, { resume: true })).toThrow(OutputError);
    expect(() => CsvOutput.open(path, { resume: true })).toThrow(/line 3 is not a valid row/);
  });

  it('a write that hits the file size limit (a full disk) fails clearly and leaves a valid CSV of whole rows', () => {
    const path = join(tmp(), 'r.csv');
    // 8 KiB file size limit for this child only: the write that crosses it gets EFBIG.
    const script = `import { CsvOutput } from './scripts/cli/csvFile.ts';
      const o = CsvOutput.open(${JSON.stringify(path)});
      let i = 0;
      try { for (;;) { o.append(Array.from({ length: 7 }, (_, k) => ({ key: 'k' + (i + k), record: { path: 'img' + (i + k) + '.png', value: 'x'.repeat(150) } }))); i += 7; } }
      catch (e) { console.log(JSON.stringify({ rows: o.rowCount, name: e.name, message: e.message })); }`;
    const r = spawnSync('bash', ['-c', `ulimit -f 8; exec ${process.execPath} --import tsx --input-type=module -e "$0"`, script], { cwd: REPO, encoding: 'utf8' });
    const out = JSON.parse(r.stdout.trim()) as { rows: number; name: string; message: string };
    expect(out.name).toBe('OutputError');
    expect(out.message).toMatch(/the file reached the size limit \(EFBIG\); the \d+ rows written before are intact/);
    const scan = scanCsvFile(path);
    expect(scan.tailProblem).toBeUndefined();
    expect(scan.keys.length).toBe(out.rows);
    expect(out.rows).toBeGreaterThan(0);
  });
});

describe('--shard k/n', () => {
  it('parses k/n and explains a bad spec', () => {
    expect(parseShard('3/8')).toEqual({ index: 3, count: 8 });
    for (const bad of ['0/2', '3/2', '2', 'a/b', '1/0']) expect(() => parseShard(bad)).toThrow(/--shard/);
  });

  it('shards are disjoint, complete, and the same whatever order the files are listed in', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 30 }), { maxLength: 60 }), fc.integer({ min: 1, max: 7 }), fc.infiniteStream(fc.nat()), (paths, n, seeds) => {
        const shards = Array.from({ length: n }, (_, k) => selectShard(paths, { index: k + 1, count: n }));
        expect(shards.flat().sort()).toEqual([...paths].sort()); // complete and disjoint
        const shuffled = [...paths].sort(() => (seeds.next().value % 3) - 1);
        for (let k = 0; k < n; k++) expect(new Set(selectShard(shuffled, { index: k + 1, count: n }))).toEqual(new Set(shards[k]));
      }),
      { numRuns: 200 },
    );
  });
});
