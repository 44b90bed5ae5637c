import { describe, expect, it } from 'vitest';
import { uniqueEdges } from '../../src/components/draw2d';

const pairs = (e: Uint32Array) => Array.from({ length: e.length / 2 }, (_, i) => `${e[2 * i]}-${e[2 * i + 1]}`);

describe('uniqueEdges', () => {
  it('gives a quad of two triangles its 5 edges, the shared diagonal once', () => {
    // 0-1-2 and 0-2-3 share 0-2.
    const e = uniqueEdges(new Uint32Array([0, 1, 2, 0, 2, 3]));
    expect(pairs(e).sort()).toEqual(['0-1', '0-2', '0-3', '1-2', '2-3']);
  });

  it('treats a-b and b-a as one edge, whatever the winding', () => {
    const e = uniqueEdges(new Uint32Array([5, 9, 7, 9, 5, 11]));
    expect(pairs(e).filter((p) => p === '5-9')).toHaveLength(1);
    expect(e.length / 2).toBe(5);
  });

  it('covers every edge of every triangle (a closed tetrahedron: 4 faces, 6 edges)', () => {
    const tris = new Uint32Array([0, 1, 2, 0, 3, 1, 1, 3, 2, 2, 3, 0]);
    const set = new Set(pairs(uniqueEdges(tris)));
    expect(set.size).toBe(6);
    for (let t = 0; t < tris.length; t += 3)
      for (const [a, b] of [[tris[t], tris[t + 1]], [tris[t + 1], tris[t + 2]], [tris[t + 2], tris[t]]])
        expect(set.has(`${Math.min(a, b)}-${Math.max(a, b)}`)).toBe(true);
  });

  it('returns nothing for no triangles', () => {
    expect(uniqueEdges(new Uint32Array(0)).length).toBe(0);
  });
});
