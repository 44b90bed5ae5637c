import { describe, expect, it } from 'vitest';
import { labelFromFolder, labelsFromFolders, parseAnyLabelCsv, parseFerPlusCsv, parseLabelCsv } from '../../src/core/labels/datasetLabels';

describe('folder labels', () => {
  it('maps folder synonyms onto the 8 classes', () => {
    expect(labelFromFolder('data/Happiness/a.png')).toBe('happy');
    expect(labelFromFolder('angry/b.jpg')).toBe('anger');
    expect(labelFromFolder('x/Surprised/c.jpg')).toBe('surprise');
    expect(labelFromFolder('c.jpg')).toBeUndefined();
  });
  it('reports unknown folder names instead of guessing', () => {
    const t = labelsFromFolders(['happy/1.png', 'bored/2.png', 'bored/3.png', 'sad/4.png']);
    expect(t.labels.size).toBe(2);
    expect(t.problems).toEqual(['folder "bored" is not an expression name']);
  });
});

describe('FER+ label.csv', () => {
  const csv = [
    'fer0000000.png,"(0, 0, 48, 48)",4,0,0,1,3,2,0,0,0,0', // neutral majority
    'fer0000001.png,"(0, 0, 48, 48)",0,0,1,6,0,0,0,0,3,0', // sadness (FER+ column 3)
    'fer0000002.png,"(0, 0, 48, 48)",1,0,0,0,0,0,0,0,2,7', // not-a-face → excluded
  ].join('\n');
  it('takes the majority vote and the distribution in AffectNet order', () => {
    const t = parseFerPlusCsv(csv);
    expect(t.labels.get('fer0000000.png')!.expression).toBe('neutral');
    const sad = t.labels.get('fer0000001.png')!;
    expect(sad.expression).toBe('sad');
    // votes over the 8 emotions: surprise 1, sadness 6 → AffectNet order [neu, hap, sad, sur, ...]
    expect(sad.distribution!.slice(0, 4)).toEqual([0, 0, 6 / 7, 1 / 7]);
    expect(t.labels.has('fer0000002.png')).toBe(false);
    expect(t.problems[0]).toMatch(/not-a-face/);
  });
  it('is recognised by parseAnyLabelCsv', () => {
    expect(parseAnyLabelCsv(csv).source).toBe('ferplus-csv');
  });
});

describe('generic and AffectNet CSVs', () => {
  it('reads file,label,valence,arousal and scales -10..10 to -1..1', () => {
    const t = parseLabelCsv('file,label,valence,arousal\na.png,Happy,5,-2\nb.png,meh,,\n');
    expect(t.labels.get('a.png')).toEqual({ expression: 'happy', valence: 0.5, arousal: -0.2 });
    expect(t.labels.get('b.png')!.expression).toBeUndefined();
    expect(t.problems).toEqual(['b.png: unknown label "meh"']);
  });
  it('reads AffectNet exp,val,aro with class indices', () => {
    const t = parseAnyLabelCsv('subDirectory_filePath,exp,val,aro\n1/x.jpg,6,-0.4,0.55\n1/y.jpg,9,0,0\n');
    expect(t.source).toBe('affectnet-csv');
    expect(t.labels.get('x.jpg')).toEqual({ expression: 'anger', valence: -0.4, arousal: 0.55 });
    expect(t.problems[0]).toMatch(/class 9 is not one of the 8/);
  });
  it('explains a missing file column', () => {
    expect(parseLabelCsv('foo,bar\n1,2\n').problems[0]).toMatch(/no file column/);
  });
});
