import { describe, expect, it } from 'vitest';
import { commonRoot, planBatch, type InputFile } from '../../src/batch/prepareBatch';

const f = (path: string, content = 'x'): InputFile => ({ path, file: new Blob([content]) });

describe('planBatch', () => {
  it('labels from class folders, reports unmatched folders, unlabelled and non-media files', async () => {
    const plan = await planBatch([
      f('data/happy/a.png'),
      f('data/Happiness/b.png'),
      f('data/anger/c.jpg'),
      f('data/misc/d.png'),
      f('data/e.png'),
      f('data/readme.txt'),
      f('data/.DS_Store'),
      f('data/clips/v.webm'),
    ]);
    expect(plan.images.map((i) => i.path)).toEqual(['data/anger/c.jpg', 'data/e.png', 'data/Happiness/b.png', 'data/happy/a.png', 'data/misc/d.png']);
    expect(plan.preview.perClass.happy).toBe(2);
    expect(plan.preview.perClass.anger).toBe(1);
    expect(plan.preview.unmatchedFolders).toEqual(['misc']); // the dropped folder itself is not reported
    expect(plan.preview.unlabelled).toEqual(['data/e.png', 'data/misc/d.png']);
    expect(plan.preview.nonMedia).toEqual(['data/readme.txt']);
    expect(plan.preview.skipped).toBe(1);
    expect(plan.videos.map((v) => v.path)).toEqual(['data/clips/v.webm']);
  });

  it('uses a FER+ label.csv for files in its folder, with the vote distribution', async () => {
    const csv = 'fer1.png,"(0, 0, 48, 48)",0,10,0,0,0,0,0,0,0,0\nfer2.png,"(0, 0, 48, 48)",0,0,0,0,0,0,0,0,10,0\n';
    const plan = await planBatch([f('Test/label.csv', csv), f('Test/fer1.png'), f('Test/fer2.png'), f('Other/fer1.png')]);
    const byPath = Object.fromEntries(plan.images.map((i) => [i.path, i]));
    expect(byPath['Test/fer1.png'].label?.expression).toBe('happy');
    expect(byPath['Test/fer1.png'].label?.distribution?.[1]).toBe(1);
    expect(byPath['Test/fer1.png'].labelFrom).toBe('Test/label.csv');
    expect(byPath['Test/fer2.png'].label).toBeUndefined(); // majority not-a-face: excluded
    expect(byPath['Other/fer1.png'].label).toBeUndefined(); // CSV is scoped to its folder
    expect(plan.preview.labelFiles[0]).toMatchObject({ path: 'Test/label.csv', source: 'ferplus-csv', entries: 1 });
  });

  it('merges a generic VA CSV with folder labels; a CSV that is not a label table is reported', async () => {
    const plan = await planBatch([
      f('root/labels.csv', 'file,valence,arousal\nx.png,5,-2.5\n'),
      f('root/sad/x.png'),
      f('root/results.csv', 'a,b\n1,2\n'),
    ]);
    expect(plan.images[0].label).toEqual({ expression: 'sad', distribution: undefined, valence: 0.5, arousal: -0.25 });
    expect(plan.images[0].labelFrom).toBe('root/labels.csv + folder');
    expect(plan.preview.withVA).toBe(1);
    expect(plan.preview.nonMedia).toEqual(['root/results.csv']);
    expect(plan.preview.labelFiles.find((l) => l.path === 'root/results.csv')?.source).toBe('unused');
  });

  it('finds the common root folder', () => {
    expect(commonRoot(['a/b.png', 'a/c/d.png'])).toBe('a');
    expect(commonRoot(['a/b.png', 'b/c.png'])).toBeUndefined();
    expect(commonRoot(['x.png'])).toBeUndefined();
  });
});
