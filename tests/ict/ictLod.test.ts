import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseIctHead, type IctHead } from '../../src/core/ict/ictAsset';
import { IctDeformer } from '../../src/core/ict/ictDeform';
import { applyIctLod, encodeIctLod, parseIctLod, trianglesFnv1a } from '../../src/core/ict/ictLod';
import { ictMeshDetail } from '../../src/components/ictHead/meshDetail';
import { decimate, seamAndBorderVertices } from '../../scripts/ict/decimate';

const head = parseIctHead(new Uint8Array(readFileSync('public/models/ict_head.bin')));
const lodBytes = new Uint8Array(readFileSync('public/models/ict_head_lod.bin'));
const lod = parseIctLod(lodBytes);
const lodHead = applyIctLod(head, lod);

/** Undirected edges (as "a,b" with a < b) on the border of one group's triangles: edges with one triangle of it. */
function groupBorders(h: IctHead, mapVertex: (v: number) => number = (v) => v): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  h.groups.forEach((g, i) => {
    const count = new Map<string, number>();
    for (let t = g.start; t < g.start + g.count; t++) {
      for (let k = 0; k < 3; k++) {
        const a = mapVertex(h.triangles[3 * t + k]), b = mapVertex(h.triangles[3 * t + ((k + 1) % 3)]);
        const e = a < b ? `${a},${b}` : `${b},${a}`;
        count.set(e, (count.get(e) ?? 0) + 1);
      }
    }
    out.set(`${i}:${g.region}/${g.material}`, new Set([...count].filter(([, n]) => n === 1).map(([e]) => e)));
  });
  return out;
}

describe('ICT head LOD (the live view on a software rasteriser)', () => {
  it('is a subset of the full head: kept vertices ascending, the 68 landmarks among them, far fewer triangles', () => {
    expect(lod.header.base).toEqual({ vertexCount: head.vertexCount, triangleCount: head.triangles.length / 3, trianglesFnv1a: trianglesFnv1a(head.triangles) });
    for (let i = 1; i < lod.kept.length; i++) expect(lod.kept[i]).toBeGreaterThan(lod.kept[i - 1]);
    expect(lod.kept[lod.kept.length - 1]).toBeLessThan(head.vertexCount);
    expect(lodHead.triangles.length / 3).toBeLessThan(head.triangles.length / 3 / 2);
    lodHead.landmarks68.forEach((l, i) => expect(lod.kept[l]).toBe(head.landmarks68[i]));
    // Every kept vertex is used by a triangle (no dead vertices to blend every frame).
    const used = new Uint8Array(lodHead.vertexCount);
    lodHead.triangles.forEach((v) => (used[v] = 1));
    expect(used.every((u) => u === 1)).toBe(true);
  });

  it('no triangle spans two groups, and every drawn group keeps its exact border (lip seam, eyelids, neck)', () => {
    const inGroup = head.groups.map((g) => new Set(head.triangles.subarray(3 * g.start, 3 * (g.start + g.count))));
    lodHead.groups.forEach((g, i) => {
      for (let t = 3 * g.start; t < 3 * (g.start + g.count); t++) expect(inGroup[i].has(lod.kept[lodHead.triangles[t]])).toBe(true);
    });
    const full = groupBorders(head);
    const reduced = groupBorders(lodHead, (v) => lod.kept[v]);
    for (const [name, edges] of full) {
      const i = Number(name.split(':')[0]);
      if (head.groups[i].hidden) {
        expect(lodHead.groups[i].count, `${name} is never drawn: left out`).toBe(0);
        continue;
      }
      // The face's border with the mouth socket is where the lips part: it must survive edge for edge.
      expect([...reduced.get(name)!].sort(), name).toEqual([...edges].sort());
    }
    expect(full.get('0:face/M_Face')!.size).toBeGreaterThan(100);
  });

  it('deforms like the full head at every kept vertex (identity and expression shapes mapped by index)', () => {
    const weights = new Float32Array(head.expressions.length);
    for (const [name, w] of [['jawOpen', 1], ['mouthSmile_L', 0.7], ['eyeBlink_R', 1], ['browDown_L', 0.5]] as const) {
      weights[head.expressions.findIndex((e) => e.name === name)] = w;
    }
    const identity = Array.from({ length: head.identityCount }, (_, k) => Math.sin(k + 1) * 1.5);
    const full = new IctDeformer(head);
    const reduced = new IctDeformer(lodHead);
    full.setIdentity(identity);
    reduced.setIdentity(identity);
    const a = full.apply(weights);
    const b = reduced.apply(weights);
    let maxErr = 0;
    lod.kept.forEach((v, i) => {
      for (let d = 0; d < 3; d++) maxErr = Math.max(maxErr, Math.abs(a[3 * v + d] - b[3 * i + d]));
    });
    expect(maxErr).toBeLessThan(1e-5);
    // jawOpen still opens the mouth on the LOD: the lower lip's landmark (57) drops well below the upper's (51).
    const y = (l: number) => b[3 * lodHead.landmarks68[l] + 1];
    const neutral = reduced.apply(new Float32Array(head.expressions.length));
    expect(y(51) - y(57) - (neutral[3 * lodHead.landmarks68[51] + 1] - neutral[3 * lodHead.landmarks68[57] + 1])).toBeGreaterThan(1); // cm
  });

  it('refuses a LOD built for another head, a truncated file and a bad magic, saying what is wrong', () => {
    const other = { ...head, triangles: Uint16Array.from(head.triangles).reverse() };
    expect(() => applyIctLod(other, lod)).toThrow(/different head topology/);
    expect(() => parseIctLod(lodBytes.subarray(0, lodBytes.length - 2))).toThrow(/truncated/);
    const bad = Uint8Array.from(lodBytes);
    bad[0] = 'X'.charCodeAt(0);
    expect(() => parseIctLod(bad)).toThrow(/bad magic/);
    // A LOD that drops a landmark vertex cannot drive the identity fit.
    const dropped = head.landmarks68[30];
    const keptWithout = lod.kept.filter((v) => v !== dropped);
    expect(keptWithout.length).toBe(lod.kept.length - 1);
    const broken = parseIctLod(encodeIctLod({ ...lod, header: { ...lod.header, vertexCount: keptWithout.length }, kept: keptWithout, triangles: lod.triangles.map((v) => Math.min(v, keptWithout.length - 1)) }));
    expect(() => applyIctLod(head, broken)).toThrow(/landmark vertex .* not kept/);
  });

  it('round-trips through its file format', () => {
    const again = parseIctLod(encodeIctLod(lod));
    expect(again.header).toEqual(lod.header);
    expect(Array.from(again.kept)).toEqual(Array.from(lod.kept));
    expect(Array.from(again.triangles)).toEqual(Array.from(lod.triangles));
  });
});

describe('decimate (quadric half-edge collapse onto kept vertices)', () => {
  /** An n×n grid in the z = f(x, y) surface; left half group 0, right half group 1; a square hole in the middle of group 0. */
  function grid(n: number) {
    const pos: number[] = [];
    for (let j = 0; j <= n; j++) for (let i = 0; i <= n; i++) pos.push(i, j, 0.02 * Math.sin(i / 3) * Math.cos(j / 4));
    const tri: number[] = [];
    const grp: number[] = [];
    const id = (i: number, j: number) => j * (n + 1) + i;
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        if (i >= n / 4 && i < n / 4 + 2 && j >= n / 2 - 1 && j < n / 2 + 1) continue; // the hole
        const g = i < n / 2 ? 0 : 1;
        tri.push(id(i, j), id(i + 1, j), id(i + 1, j + 1), id(i, j), id(i + 1, j + 1), id(i, j + 1));
        grp.push(g, g);
      }
    }
    return { pos: Float64Array.from(pos), tri, grp, V: (n + 1) * (n + 1) };
  }

  it('reduces to the target, keeps a subset, never crosses a group, keeps borders and holes, flips nothing', () => {
    const { pos, tri, grp, V } = grid(24);
    const locked = seamAndBorderVertices(tri, grp, V);
    // A second state (the surface bent) must not flip either.
    const bent = pos.map((x, i) => (i % 3 === 2 ? x + 0.3 * Math.sin(pos[i - 2] / 5) : x));
    const r = decimate({ states: [pos, bent], triangles: tri, triangleGroup: grp, locked, targetTriangles: 300 });
    expect(r.triangleGroup.length).toBeLessThanOrEqual(300);
    expect(r.triangleGroup.length).toBeGreaterThan(100);
    const kept = new Set(r.kept);
    for (let v = 0; v < V; v++) if (locked[v]) expect(kept.has(v), `pinned vertex ${v}`).toBe(true);
    for (let v = 0; v < V; v++) expect(r.collapsedTo[v] === -1 || kept.has(r.collapsedTo[v])).toBe(true);
    // Group membership: a triangle's vertices all came from its group's original vertices.
    const groupVerts = [new Set<number>(), new Set<number>()];
    grp.forEach((g, t) => tri.slice(3 * t, 3 * t + 3).forEach((v) => groupVerts[g].add(v)));
    r.triangleGroup.forEach((g, t) => r.triangles.slice(3 * t, 3 * t + 3).forEach((v) => expect(groupVerts[g].has(v)).toBe(true)));
    // The open borders (outer rim and the hole) are the same edges as before.
    const borders = (ts: ArrayLike<number>) => {
      const c = new Map<string, number>();
      for (let t = 0; t < ts.length; t += 3) for (let k = 0; k < 3; k++) {
        const a = ts[t + k], b = ts[t + ((k + 1) % 3)];
        const e = a < b ? `${a},${b}` : `${b},${a}`;
        c.set(e, (c.get(e) ?? 0) + 1);
      }
      return [...c].filter(([, n]) => n === 1).map(([e]) => e).sort();
    };
    expect(borders(r.triangles)).toEqual(borders(tri));
    // Every triangle faces the same way as the grid (+z), in both states.
    for (const p of [pos, bent]) {
      for (let t = 0; t < r.triangles.length; t += 3) {
        const [a, b, c] = [r.triangles[t], r.triangles[t + 1], r.triangles[t + 2]];
        const nz = (p[3 * b] - p[3 * a]) * (p[3 * c + 1] - p[3 * a + 1]) - (p[3 * b + 1] - p[3 * a + 1]) * (p[3 * c] - p[3 * a]);
        expect(nz).toBeGreaterThan(0);
      }
    }
  });

  it('removes flat areas before curved ones', () => {
    const { pos, tri, grp, V } = grid(24);
    // Make the right half strongly curved, the left half flat.
    const p = pos.map((x, i) => (i % 3 === 2 ? (pos[i - 2] > 12 ? 2 * Math.sin(pos[i - 2]) * Math.cos(pos[i - 1]) : 0) : x));
    const r = decimate({ states: [p], triangles: tri, triangleGroup: grp, locked: seamAndBorderVertices(tri, grp, V), targetTriangles: 600 });
    const left = r.triangleGroup.filter((g) => g === 0).length;
    const right = r.triangleGroup.length - left;
    expect(right).toBeGreaterThan(2 * left);
  });
});

describe('which mesh a head view draws', () => {
  it('the live view on a software rasteriser draws the LOD; stills and hardware GPUs the full head; the debug switch wins', () => {
    expect(ictMeshDetail(true, 'SwiftShader')).toBe('lod');
    expect(ictMeshDetail(true, undefined)).toBe('full');
    expect(ictMeshDetail(false, 'SwiftShader')).toBe('full');
    expect(ictMeshDetail(true, 'SwiftShader', 'full')).toBe('full');
    expect(ictMeshDetail(false, undefined, 'lod')).toBe('lod');
  });
});
