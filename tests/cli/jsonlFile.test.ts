/** The CLI's streamed JSON Lines output (`--jsonl`) and its resume scan (issue #15). */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OutputError } from '../../scripts/cli/appendFile';
import { JsonlOutput, jsonlKey, scanJsonlFile } from '../../scripts/cli/jsonlFile';

const tmp = () => mkdtempSync(join(tmpdir(), 'ig3d-jsonl-'));
const row = (i: number) => ({ path: `img${i}.png`, status: 'ok', p2d: [i / 7, 1 - i / 7], notes: i % 3 ? [] : ['line one\nline two, "quoted"'] });
const rec = (i: number) => ({ key: `img${i}.png`, value: row(i) });

/** Two complete rows written by JsonlOutput, then `tail` appended as a killed run would leave it. */
function fileWithTail(tail: string): { path: string; whole: string } {
  const path = join(tmp(), 'rows.jsonl');
  const a = JsonlOutput.open(path);
  a.append([0, 1].map(rec));
  a.close();
  const whole = readFileSync(path, 'utf8');
  writeFileSync(path, whole + tail);
  return { path, whole };
}

describe('JsonlOutput / scanJsonlFile', () => {
  it('appends one parseable line per row and resumes after them without duplicates', () => {
    const path = join(tmp(), 'rows.jsonl');
    const a = JsonlOutput.open(path);
    a.append([0, 1, 2, 2].map(rec)); // a key twice in one call is written once
    a.close();
    const b = JsonlOutput.open(path, { resume: true });
    expect([0, 1, 2, 3].map((i) => b.has(`img${i}.png`))).toEqual([true, true, true, false]);
    b.append([2, 3].map(rec)); // img2 is already there: skipped
    b.close();
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines.pop()).toBe(''); // ends with a line end
    expect(lines.map((l) => JSON.parse(l))).toEqual([0, 1, 2, 3].map(row));
    const scan = scanJsonlFile(path);
    expect(scan.keys).toEqual(['img0.png', 'img1.png', 'img2.png', 'img3.png']);
    expect(scan.tailProblem).toBeUndefined();
  });

  it('a truncated last line (no line end, even if it parses) is reported and cut on resume', () => {
    for (const tail of ['{"path":"img9.png","status":"o', JSON.stringify(row(9))]) {
      const { path, whole } = fileWithTail(tail);
      const scan = scanJsonlFile(path);
      expect(scan.keys).toEqual(['img0.png', 'img1.png']);
      expect(scan.validBytes).toBe(Buffer.byteLength(whole));
      expect(scan.tailProblem).toBe('last line (line 3) has no line end');
      const notes: string[] = [];
      const b = JsonlOutput.open(path, { resume: true, onTruncate: (m) => notes.push(m) });
      expect(b.has('img9.png')).toBe(false); // redone, not skipped
      b.append([rec(9)]);
      b.close();
      expect(notes[0]).toMatch(/rows\.jsonl: last line \(line 3\) has no line end; cut it off, that item is redone/);
      expect(readFileSync(path, 'utf8')).toBe(whole + JSON.stringify(row(9)) + '\n');
    }
  });

  it('a garbage last line (ends with a line end but is not a row) is reported and cut on resume', () => {
    for (const [tail, why] of [
      ['{"path":"img9.png",\x00\x00\x00\n', /last line \(line 3\) is not a valid row: not JSON/],
      ['[1,2,3]\n', /last line \(line 3\) is not a valid row: not a row object with a "path"/],
      ['{"path":"clip.mp4","video":{"time":"soon"}}\n', /last line \(line 3\) is not a valid row: its "video" has no numeric "time"/],
    ] as const) {
      const { path, whole } = fileWithTail(tail);
      expect(scanJsonlFile(path).tailProblem).toMatch(why);
      const notes: string[] = [];
      JsonlOutput.open(path, { resume: true, onTruncate: (m) => notes.push(m) }).close();
      expect(notes[0]).toMatch(why);
      expect(readFileSync(path, 'utf8')).toBe(whole);
    }
  });

  it('refuses to resume over a bad line in the middle of the file', () => {
    const path = join(tmp(), 'rows.jsonl');
    writeFileSync(path, `${JSON.stringify(row(0))}\nnot json\n${JSON.stringify(row(1))}\n`);
    expect(() => JsonlOutput.open(path, { resume: true })).toThrow(OutputError);
    expect(() => JsonlOutput.open(path, { resume: true })).toThrow(/line 2 is not a valid row \(not JSON/);
  });

  it('keys video rows by path and frame time, rounded as the results CSV rounds video_time_s', () => {
    expect(jsonlKey({ path: 'a.png' })).toBe('a.png');
    expect(jsonlKey({ path: 'clip.mp4#t=1.500', video: { time: 1.5000004 } })).toBe('clip.mp4#t=1.500#1.5');
    const path = join(tmp(), 'rows.jsonl');
    writeFileSync(path, [0.5, 1.0004].map((t) => JSON.stringify({ path: 'clip.mp4', video: { path: 'clip.mp4', time: t } }) + '\n').join(''));
    expect(scanJsonlFile(path).keys).toEqual(['clip.mp4#0.5', 'clip.mp4#1']);
  });
});
