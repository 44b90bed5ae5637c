import { describe, expect, it } from 'vitest';
import { fusedPanelLabel } from '../../src/components/fusedPanel';
import { lateFusion } from '../../src/core/fusion/lateFusion';

const l2d = Float32Array.from([2, 0.5, -1, 0, 0.3, -0.2, 0.1, -2]);
const l3d = Float32Array.from([-1, 1.5, 0.4, 0.2, -0.3, 0.9, 0, 0.5]);
const same = (a: Float32Array, b: Float32Array) => a.every((v, i) => v === b[i]);

describe('fusedPanelLabel', () => {
  it('says the fused bars are the 2D model’s at w = 1, and names the pack default', () => {
    const l = fusedPanelLabel({ mode: 'weighted', weight2d: 1, has3d: true, packWeight2d: 1 });
    expect(l.repeats).toBe('2d');
    expect(l.title).toBe('Fused = 2D (w = 1.00)');
    expect(l.note).toMatch(/3D head gets no weight/);
    expect(l.note).toMatch(/this pack’s default weight/);
    // …and it is true: late fusion at w = 1 gives exactly the 2D model's probabilities.
    expect(same(lateFusion('weighted', 1, l2d, l3d)!.probs, lateFusion('2d', 1, l2d, l3d)!.probs)).toBe(true);
  });

  it('does not call w = 1 the default when the pack declares another weight', () => {
    expect(fusedPanelLabel({ mode: 'weighted', weight2d: 1, has3d: true, packWeight2d: 0.6 }).note).not.toMatch(/default/);
    expect(fusedPanelLabel({ mode: 'weighted', weight2d: 1, has3d: true }).note).not.toMatch(/default/);
  });

  it('says the fused bars are the 3D head’s at w = 0', () => {
    const l = fusedPanelLabel({ mode: 'weighted', weight2d: 0, has3d: true, packWeight2d: 1 });
    expect(l.repeats).toBe('3d');
    expect(l.note).toMatch(/2D model gets no weight/);
    expect(same(lateFusion('weighted', 0, l2d, l3d)!.probs, lateFusion('3d', 0, l2d, l3d)!.probs)).toBe(true);
  });

  it('has no note when the bars mix both branches', () => {
    for (const [mode, w] of [['weighted', 0.5], ['weighted', 0.95], ['weighted', 0.05], ['mean', 1], ['max', 1]] as const) {
      const l = fusedPanelLabel({ mode, weight2d: w, has3d: true, packWeight2d: 1 });
      expect(l.note, `${mode} ${w}`).toBeUndefined();
      expect(l.repeats).toBeUndefined();
    }
    expect(fusedPanelLabel({ mode: 'weighted', weight2d: 0.5, has3d: true }).title).toBe('Fused (w = 0.50)');
    expect(fusedPanelLabel({ mode: 'mean', weight2d: 1, has3d: true }).title).toMatch(/mean/);
    expect(fusedPanelLabel({ mode: 'max', weight2d: 1, has3d: true }).title).toMatch(/max/);
  });

  it('says which branch and why when one is off or absent, whatever the weight', () => {
    const no3d = fusedPanelLabel({ mode: 'weighted', weight2d: 0.5, has3d: false, no3dReason: 'This pack has no 3D head' });
    expect(no3d).toMatchObject({ repeats: '2d', title: 'Fused = 2D' });
    expect(no3d.note).toMatch(/^This pack has no 3D head: /);
    expect(fusedPanelLabel({ mode: '2d', weight2d: 0.5, has3d: true })).toMatchObject({ repeats: '2d' });
    expect(fusedPanelLabel({ mode: '3d', weight2d: 1, has3d: true })).toMatchObject({ repeats: '3d', title: 'Fused = 3D' });
    const no2d = fusedPanelLabel({ mode: 'weighted', weight2d: 1, has3d: true, has2d: false, no2dReason: 'The 2D branch is switched off' });
    expect(no2d).toMatchObject({ repeats: '3d' });
    expect(no2d.note).toMatch(/^The 2D branch is switched off: /);
    expect(fusedPanelLabel({ mode: 'weighted', weight2d: 1, has3d: false, has2d: false })).toEqual({ title: 'Fused' });
  });
});
