// The ICT head prepared off the page's main thread (issue #16): the same head, basis and colours as
// the in-page parse of the real assets, and what survives a transfer to another thread.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseIctHead } from '../../src/core/ict/ictAsset';
import { applyIctLod, parseIctLod } from '../../src/core/ict/ictLod';
import { IdentityFitter, identityFitBasis } from '../../src/core/ict/identityFit';
import { ictEyeColours } from '../../src/core/ict/ictEyeColours';
import { prepareIctHead, preparedIctHeadBuffers } from '../../src/core/ict/preparedIctHead';
import { IctDeformer } from '../../src/core/ict/ictDeform';
import { differences } from './differences';

const headBytes = new Uint8Array(readFileSync('public/models/ict_head.bin'));
const lodBytes = new Uint8Array(readFileSync('public/models/ict_head_lod.bin'));

describe('prepareIctHead', () => {
  it('gives the in-page parse of the real assets, full and lower-detail', async () => {
    const full = parseIctHead(headBytes);
    const { prepared } = await prepareIctHead('full', { head: headBytes });
    expect(prepared.detail).toBe('full');
    expect(differences(prepared.head, full)).toEqual([]);
    expect(differences(prepared.fitBasis, identityFitBasis(full))).toEqual([]);
    expect(differences(prepared.eyeColours, ictEyeColours(full))).toEqual([]);

    const lod = applyIctLod(full, parseIctLod(lodBytes));
    const { prepared: p2 } = await prepareIctHead('lod', { head: headBytes, lod: lodBytes });
    expect(differences(p2.head, lod)).toEqual([]);
    expect(p2.head.vertexCount).toBeLessThan(full.vertexCount);
    expect(differences(p2.head, full).length).toBeGreaterThan(0);
    expect(differences(p2.fitBasis, identityFitBasis(lod))).toEqual([]);
    expect(differences(p2.eyeColours, ictEyeColours(lod))).toEqual([]);
  });

  it('steps between its parts when asked (the page fallback yields there)', async () => {
    let pauses = 0;
    await prepareIctHead('lod', { head: headBytes, lod: lodBytes }, async () => void pauses++);
    expect(pauses).toBe(2);
  });

  it('fails with the readers’ messages for a corrupt or missing file', async () => {
    await expect(prepareIctHead('full', { head: headBytes.subarray(0, 100) })).rejects.toThrow(/^ICT head asset: .*truncated/);
    await expect(prepareIctHead('lod', { head: headBytes, lod: new TextEncoder().encode('not a LOD file') })).rejects.toThrow("ICT head LOD: bad magic 'not '");
    await expect(prepareIctHead('lod', { head: headBytes })).rejects.toThrow(/ICT head LOD/);
  });

  it('a fitter on the prepared basis fits exactly as one that computes its own', async () => {
    const { prepared } = await prepareIctHead('lod', { head: headBytes, lod: lodBytes });
    const head = prepared.head;
    const a = new IdentityFitter(head, { basis: prepared.fitBasis });
    const b = new IdentityFitter(head);
    // Observed landmarks: the head itself with a made-up identity and expression, scaled and moved.
    const d = new IctDeformer(head);
    d.setIdentity(Array.from({ length: head.identityCount }, (_, k) => Math.sin(k + 1)));
    const weights = new Float32Array(head.expressions.length).map((_, j) => (j % 5 === 0 ? 0.4 : 0));
    const v = d.apply(weights);
    const observed = head.landmarks68.flatMap((i) => [2 * v[3 * i] + 5, 2 * v[3 * i + 1] - 3, 2 * v[3 * i + 2]]);
    for (let k = 0; k < 3; k++) expect(a.update(observed, weights).meanErrorMm).toBe(b.update(observed, weights).meanErrorMm);
    expect(Array.from(a.coefficients)).toEqual(Array.from(b.coefficients));
    // A basis for another number of components is not used (the fitter computes its own).
    const c = new IdentityFitter(head, { components: 10, basis: prepared.fitBasis });
    expect(c.components).toBe(10);
    expect(c.update(observed, weights).meanErrorMm).toBe(new IdentityFitter(head, { components: 10 }).update(observed, weights).meanErrorMm);
  });
});

describe('transfer of a prepared head', () => {
  it('moves every array (none is copied), and the shapes still share their tables', async () => {
    const { prepared } = await prepareIctHead('full', { head: headBytes });
    const buffers = preparedIctHeadBuffers(prepared);
    // neutral, triangles, identity, scales, colours, 4 basis arrays, the expression index and delta tables.
    expect(buffers).toHaveLength(11);
    const total = buffers.reduce((a, b) => a + b.byteLength, 0);
    expect(total).toBeGreaterThan(3_000_000);
    const moved = structuredClone(prepared, { transfer: buffers });
    // The sender's arrays are detached: nothing was copied.
    expect(buffers.every((b) => b.byteLength === 0)).toBe(true);
    expect(prepared.head.neutral.length).toBe(0);
    const { prepared: fresh } = await prepareIctHead('full', { head: headBytes });
    expect(differences(moved, fresh)).toEqual([]);
    const e = moved.head.expressions;
    expect(e[0].deltas.buffer).toBe(e[1].deltas.buffer);
    expect(e[0].vertices.buffer).toBe(e[52].vertices.buffer);
  });
});
