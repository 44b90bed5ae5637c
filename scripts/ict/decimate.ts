/**
 * Quadric-error half-edge collapse (Garland & Heckbert 1997, with each collapse moving a vertex onto
 * one of its neighbours instead of to a new optimal point), used offline by build-lod.ts to make the
 * live view's lower-detail ICT head.
 *
 * Why our own and not three.js's SimplifyModifier: that addon merges coincident vertices, knows
 * nothing of draw groups and has no way to pin a vertex, so it would collapse across the face /
 * mouth-socket seam that lets the lips part, and across the eyelid / eyeball seams; and it returns a
 * new vertex buffer without saying which original vertex each one is. Here:
 *  - a kept vertex never moves (collapse onto an existing vertex), so the kept vertices are a subset
 *    of the original and the expression shapes, identity basis and landmark indices carry over by
 *    indexing them (src/core/ict/ictLod.ts);
 *  - `locked` vertices (group seams, open borders, landmarks) are never removed, and a vertex is only
 *    removed if all its triangles are in one group, so no triangle ever spans two groups;
 *  - the error is summed over several shapes of the mesh (`states`: neutral, expressions, identities),
 *    so geometry that only matters when the jaw opens or an eye blinks is kept too, and a collapse is
 *    refused if it flips a triangle in any of them.
 */

export interface DecimateInput {
  /** One [V*3] position array per shape of the mesh the error is measured in (e.g. neutral first). */
  states: ArrayLike<number>[];
  /** [T*3] vertex indices. */
  triangles: ArrayLike<number>;
  /** [T] draw group of each triangle. */
  triangleGroup: ArrayLike<number>;
  /** [V] 1 = never removed (may still be the vertex another one collapses onto). */
  locked: Uint8Array;
  /** Stop when this many triangles are left (or nothing more can be collapsed). */
  targetTriangles: number;
  /** A collapse is refused if a remaining triangle's normal turns by more than acos(this) in any state. */
  minNormalCos?: number;
}

export interface DecimateResult {
  /** Surviving triangles, original vertex indices, in their original relative order. */
  triangles: Uint32Array;
  triangleGroup: Int32Array;
  /** Original indices of the vertices still used by a triangle, ascending. */
  kept: Uint32Array;
  /** For each original vertex, the vertex it was collapsed onto, followed to the end (itself if kept; -1 if unused). */
  collapsedTo: Int32Array;
}

/** Vertices on an open border (an edge with one triangle) or shared by triangles of different groups. */
export function seamAndBorderVertices(triangles: ArrayLike<number>, triangleGroup: ArrayLike<number>, vertexCount: number): Uint8Array {
  const out = new Uint8Array(vertexCount);
  const edgeCount = new Map<number, number>();
  const key = (a: number, b: number) => (a < b ? a * vertexCount + b : b * vertexCount + a);
  const groupOf = new Int32Array(vertexCount).fill(-1);
  for (let t = 0; t < triangles.length / 3; t++) {
    for (let k = 0; k < 3; k++) {
      const a = triangles[3 * t + k], b = triangles[3 * t + ((k + 1) % 3)];
      const e = key(a, b);
      edgeCount.set(e, (edgeCount.get(e) ?? 0) + 1);
      const g = triangleGroup[t];
      if (groupOf[a] === -1) groupOf[a] = g;
      else if (groupOf[a] !== g) out[a] = 1;
    }
  }
  for (const [e, n] of edgeCount) {
    if (n === 2) continue; // interior edge (more than 2 would be non-manifold: pin those too)
    out[Math.floor(e / vertexCount)] = 1;
    out[e % vertexCount] = 1;
  }
  return out;
}

/** Symmetric 4×4 plane quadric as its 10 upper-triangle coefficients. */
const Q = 10;

function addPlane(q: Float64Array, o: number, a: number, b: number, c: number, d: number, w: number): void {
  q[o] += w * a * a; q[o + 1] += w * a * b; q[o + 2] += w * a * c; q[o + 3] += w * a * d;
  q[o + 4] += w * b * b; q[o + 5] += w * b * c; q[o + 6] += w * b * d;
  q[o + 7] += w * c * c; q[o + 8] += w * c * d;
  q[o + 9] += w * d * d;
}

/** vᵀ(Q₁+Q₂)v for v = (x, y, z, 1). */
function evalPair(q: Float64Array, o1: number, o2: number, x: number, y: number, z: number): number {
  const c = (i: number) => q[o1 + i] + q[o2 + i];
  return c(0) * x * x + 2 * c(1) * x * y + 2 * c(2) * x * z + 2 * c(3) * x + c(4) * y * y + 2 * c(5) * y * z + 2 * c(6) * y + c(7) * z * z + 2 * c(8) * z + c(9);
}

/** Min-heap of candidate collapses with lazy deletion (an entry is stale once either vertex changed). */
class CandidateHeap {
  private cost: number[] = [];
  private from: number[] = [];
  private to: number[] = [];
  private stamp: number[] = [];

  get size(): number {
    return this.cost.length;
  }

  push(cost: number, from: number, to: number, stamp: number): void {
    let i = this.cost.length;
    this.cost.push(cost); this.from.push(from); this.to.push(to); this.stamp.push(stamp);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.cost[p] <= this.cost[i]) break;
      this.swap(i, p);
      i = p;
    }
  }

  pop(): { cost: number; from: number; to: number; stamp: number } {
    const top = { cost: this.cost[0], from: this.from[0], to: this.to[0], stamp: this.stamp[0] };
    const last = this.cost.length - 1;
    this.swap(0, last);
    this.cost.pop(); this.from.pop(); this.to.pop(); this.stamp.pop();
    let i = 0;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < this.cost.length && this.cost[l] < this.cost[m]) m = l;
      if (r < this.cost.length && this.cost[r] < this.cost[m]) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
    return top;
  }

  private swap(i: number, j: number): void {
    [this.cost[i], this.cost[j]] = [this.cost[j], this.cost[i]];
    [this.from[i], this.from[j]] = [this.from[j], this.from[i]];
    [this.to[i], this.to[j]] = [this.to[j], this.to[i]];
    [this.stamp[i], this.stamp[j]] = [this.stamp[j], this.stamp[i]];
  }
}

export function decimate(input: DecimateInput): DecimateResult {
  const { states, triangleGroup, locked, targetTriangles } = input;
  const minCos = input.minNormalCos ?? 0.2;
  const S = states.length;
  const V = locked.length;
  const T = input.triangles.length / 3;
  if (S === 0) throw new Error('decimate: no states');
  for (const s of states) if (s.length !== 3 * V) throw new Error(`decimate: a state has ${s.length / 3} vertices, expected ${V}`);
  const tri = Int32Array.from(input.triangles);
  const alive = new Uint8Array(T).fill(1);
  let liveTriangles = T;

  // Triangles around each vertex.
  const around: number[][] = Array.from({ length: V }, () => []);
  for (let t = 0; t < T; t++) for (let k = 0; k < 3; k++) around[tri[3 * t + k]].push(t);

  // Area-weighted plane quadrics, one set per state (error in cm³-ish units, summed over states).
  const q = new Float64Array(V * S * Q);
  for (let s = 0; s < S; s++) {
    const p = states[s];
    for (let t = 0; t < T; t++) {
      const a = tri[3 * t], b = tri[3 * t + 1], c = tri[3 * t + 2];
      const e1x = p[3 * b] - p[3 * a], e1y = p[3 * b + 1] - p[3 * a + 1], e1z = p[3 * b + 2] - p[3 * a + 2];
      const e2x = p[3 * c] - p[3 * a], e2y = p[3 * c + 1] - p[3 * a + 1], e2z = p[3 * c + 2] - p[3 * a + 2];
      let nx = e1y * e2z - e1z * e2y, ny = e1z * e2x - e1x * e2z, nz = e1x * e2y - e1y * e2x;
      const len = Math.hypot(nx, ny, nz);
      if (len === 0) continue;
      const area = len / 2;
      nx /= len; ny /= len; nz /= len;
      const d = -(nx * p[3 * a] + ny * p[3 * a + 1] + nz * p[3 * a + 2]);
      for (const v of [a, b, c]) addPlane(q, (v * S + s) * Q, nx, ny, nz, d, area);
    }
  }

  const version = new Uint32Array(V);
  const removed = new Uint8Array(V);
  const onto = new Int32Array(V).fill(-1);
  const single = (v: number) => {
    const ts = around[v];
    for (const t of ts) if (triangleGroup[t] !== triangleGroup[ts[0]]) return false;
    return ts.length > 0;
  };
  const removable = (v: number) => !locked[v] && !removed[v] && single(v);

  const cost = (u: number, v: number) => {
    let c = 0;
    for (let s = 0; s < S; s++) {
      const p = states[s];
      c += evalPair(q, (u * S + s) * Q, (v * S + s) * Q, p[3 * v], p[3 * v + 1], p[3 * v + 2]);
    }
    return Math.max(0, c);
  };
  const neighbours = (v: number) => {
    const out = new Set<number>();
    for (const t of around[v]) for (let k = 0; k < 3; k++) if (tri[3 * t + k] !== v) out.add(tri[3 * t + k]);
    return out;
  };

  const heap = new CandidateHeap();
  // stamp = versions of both ends packed: stale as soon as either vertex's quadric or star changed.
  const stampOf = (u: number, v: number) => version[u] * 4294967296 + version[v];
  const pushFrom = (u: number) => {
    if (!removable(u)) return;
    for (const v of neighbours(u)) heap.push(cost(u, v), u, v, stampOf(u, v));
  };
  for (let v = 0; v < V; v++) pushFrom(v);

  const normalOf = (p: ArrayLike<number>, a: number, b: number, c: number): [number, number, number] => {
    const e1x = p[3 * b] - p[3 * a], e1y = p[3 * b + 1] - p[3 * a + 1], e1z = p[3 * b + 2] - p[3 * a + 2];
    const e2x = p[3 * c] - p[3 * a], e2y = p[3 * c + 1] - p[3 * a + 1], e2z = p[3 * c + 2] - p[3 * a + 2];
    return [e1y * e2z - e1z * e2y, e1z * e2x - e1x * e2z, e1x * e2y - e1y * e2x];
  };

  /** Can u be collapsed onto v without changing the topology or flipping a triangle? */
  const canCollapse = (u: number, v: number): boolean => {
    // Link condition: the common neighbours of u and v are exactly the third vertices of the
    // triangles on edge uv (otherwise the collapse would pinch the surface or duplicate a triangle).
    const shared: number[] = [];
    for (const t of around[u]) {
      const a = tri[3 * t], b = tri[3 * t + 1], c = tri[3 * t + 2];
      if (a === v || b === v || c === v) shared.push(a !== u && a !== v ? a : b !== u && b !== v ? b : c);
    }
    if (shared.length !== 2) return false;
    const nv = neighbours(v);
    let common = 0;
    for (const w of neighbours(u)) if (nv.has(w)) common++;
    if (common !== 2) return false;
    // No remaining triangle of u may flip or collapse to a sliver, in any state.
    for (const t of around[u]) {
      const a = tri[3 * t], b = tri[3 * t + 1], c = tri[3 * t + 2];
      if (a === v || b === v || c === v) continue;
      const [a2, b2, c2] = [a === u ? v : a, b === u ? v : b, c === u ? v : c];
      for (let s = 0; s < S; s++) {
        const n0 = normalOf(states[s], a, b, c);
        const n1 = normalOf(states[s], a2, b2, c2);
        const l0 = Math.hypot(...n0), l1 = Math.hypot(...n1);
        if (l1 === 0) return false;
        if (l0 === 0) continue;
        if ((n0[0] * n1[0] + n0[1] * n1[1] + n0[2] * n1[2]) / (l0 * l1) < minCos) return false;
      }
    }
    return true;
  };

  while (liveTriangles > targetTriangles && heap.size > 0) {
    const { from: u, to: v, stamp } = heap.pop();
    if (removed[u] || removed[v] || stamp !== stampOf(u, v) || !removable(u)) continue;
    if (!canCollapse(u, v)) continue;
    // Collapse u onto v: drop the two triangles on edge uv, re-point u's others at v.
    const moved: number[] = [];
    for (const t of around[u]) {
      const o = 3 * t;
      if (tri[o] === v || tri[o + 1] === v || tri[o + 2] === v) {
        alive[t] = 0;
        liveTriangles--;
        for (let k = 0; k < 3; k++) {
          const w = tri[o + k];
          if (w !== u) around[w] = around[w].filter((x) => x !== t);
        }
      } else {
        for (let k = 0; k < 3; k++) if (tri[o + k] === u) tri[o + k] = v;
        moved.push(t);
      }
    }
    around[v].push(...moved);
    around[u] = [];
    removed[u] = 1;
    onto[u] = v;
    for (let i = 0; i < S * Q; i++) q[v * S * Q + i] += q[u * S * Q + i];
    version[v]++;
    // v's quadric and star changed: every candidate from or to v is re-costed (the others keep
    // their cost; whether they are still allowed is checked when they come up).
    pushFrom(v);
    for (const w of neighbours(v)) if (removable(w)) heap.push(cost(w, v), w, v, stampOf(w, v));
  }

  const triangles: number[] = [];
  const groups: number[] = [];
  const used = new Uint8Array(V);
  for (let t = 0; t < T; t++) {
    if (!alive[t]) continue;
    for (let k = 0; k < 3; k++) {
      triangles.push(tri[3 * t + k]);
      used[tri[3 * t + k]] = 1;
    }
    groups.push(triangleGroup[t]);
  }
  const kept: number[] = [];
  for (let v = 0; v < V; v++) if (used[v]) kept.push(v);
  // Follow each removed vertex to where it ended up (for checks and reports).
  const collapsedTo = new Int32Array(V).fill(-1);
  for (let v = 0; v < V; v++) {
    let w = v;
    while (onto[w] !== -1) w = onto[w];
    collapsedTo[v] = used[w] ? w : -1;
  }
  return { triangles: Uint32Array.from(triangles), triangleGroup: Int32Array.from(groups), kept: Uint32Array.from(kept), collapsedTo };
}
