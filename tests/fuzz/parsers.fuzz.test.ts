/**
 * Issue #15: hostile bytes for every parser that reads user-supplied files. Each property feeds
 * random mutations / truncations of a valid file; every case must end in a valid result or a
 * specific error (see expectCleanFailure). FUZZ_RUNS cases each (150 in npm test; `npm run
 * fuzz` runs 10,000).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { unzipSync, zipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import { FlameAssetError, parseFlameAsset } from '../../src/core/flame/flameAsset';
import { parseAnyLabelCsv, parseFerPlusCsv, parseLabelCsv, labelsFromFolders } from '../../src/core/labels/datasetLabels';
import { parseManifest } from '../../src/core/manifest/parseManifest';
import { GEOMETRY_METADATA_FILE, canonicalMeshFromTask, parseGeometryPipelineMetadata } from '../../src/core/mesh/canonicalMesh';
import { readFolderPack } from '../../src/packs/folderPack';
import { FUZZ_RUNS, applyMutations, expectCleanFailure, mutations } from './mutate';

const ROOT = join(__dirname, '../..');
const read = (p: string) => new Uint8Array(readFileSync(join(ROOT, p)));
const utf8 = new TextDecoder();
const enc = new TextEncoder();
const opts = { numRuns: FUZZ_RUNS, seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined };
const TIMEOUT = Math.max(30_000, FUZZ_RUNS * 40);

const FLAME_BIN = read('tests/flame/fixtures/reduced/flame.bin');
const MANIFEST = read('public/models/manifest.json');
const GEOMETRY = (() => {
  // The real MediaPipe metadata, from the shared copy of face_landmarker.task (provisioned by npm run setup).
  const task = new Uint8Array(readFileSync(join(ROOT, 'public/models/third_party/face_landmarker.task')));
  return unzipSync(task, { filter: (f) => f.name === GEOMETRY_METADATA_FILE })[GEOMETRY_METADATA_FILE];
})();
/** A small valid .task (zip with just the metadata entry), so mutations hit the zip structure, not the tflite weights. */
const SMALL_TASK = zipSync({ [GEOMETRY_METADATA_FILE]: GEOMETRY, 'face_detector.tflite': new Uint8Array(64) });
const FERPLUS_CSV = enc.encode(readFileSync(join(ROOT, '../shared/data/ferplus/Test/label.csv'), 'utf8').split('\n').slice(0, 40).join('\n'));
const GENERIC_CSV = enc.encode('file,label,valence,arousal\nhappy/a.png,happy,0.8,0.5\nb.jpg,Sadness,-0.6,-0.2\nc.png,3,,\n');
const AFFECTNET_CSV = enc.encode('subDirectory_filePath,face_x,face_y,face_width,face_height,facial_landmarks,expression,exp,val,aro\n1/a.jpg,0,0,10,10,,1,1,0.5,0.2\n2/b.jpg,0,0,10,10,,2,2,-0.3,0.1\n');

/** Counts per outcome, printed at the end for the closing note. */
const tally: Record<string, { ok: number; error: number }> = {};
const count = (name: string, outcome: 'ok' | 'error') => ((tally[name] ??= { ok: 0, error: 0 })[outcome]++);

describe(`fuzzed inputs (${FUZZ_RUNS} cases per parser)`, () => {
  // A parser that writes user-supplied keys into plain objects could pollute every object.
  afterEach(() => expect(Object.keys(Object.prototype)).toEqual([]));

  it('the valid files parse (so the mutations start from something real)', () => {
    expect(parseFlameAsset(FLAME_BIN).vTemplate.length).toBeGreaterThan(0);
    expect(parseManifest(utf8.decode(MANIFEST)).ok).toBe(true);
    expect(canonicalMeshFromTask(SMALL_TASK).vertexCount).toBe(468);
    expect(parseFerPlusCsv(utf8.decode(FERPLUS_CSV)).labels.size).toBeGreaterThan(20);
  });

  it('flame.bin reader', () => {
    fc.assert(
      fc.property(mutations(), (ops) => {
        const bytes = applyMutations(FLAME_BIN, ops);
        try {
          const a = parseFlameAsset(bytes);
          const vertices = a.vTemplate.length / 3;
          expect(a.faces.every((i) => i < vertices)).toBe(true);
          count('flame.bin', 'ok');
        } catch (e) {
          expectCleanFailure(e, (x) => x instanceof FlameAssetError);
          count('flame.bin', 'error');
        }
      }),
      opts,
    );
  }, TIMEOUT);

  it('.task zip + protobuf metadata reader', () => {
    const known = (x: Error) => /^(protobuf|geometry metadata|face_landmarker\.task)/.test(x.message);
    fc.assert(
      fc.property(fc.boolean(), mutations(), (zipLevel, ops) => {
        const name = zipLevel ? '.task zip' : 'metadata protobuf';
        try {
          const mesh = zipLevel ? canonicalMeshFromTask(applyMutations(SMALL_TASK, ops)) : parseGeometryPipelineMetadata(applyMutations(GEOMETRY, ops));
          // A valid result is internally consistent: every triangle index names a vertex.
          expect(mesh.triangles.every((t) => t < mesh.vertexCount)).toBe(true);
          count(name, 'ok');
        } catch (e) {
          expectCleanFailure(e, known);
          count(name, 'error');
        }
      }),
      opts,
    );
  }, TIMEOUT);

  it('manifest parser (bytes and structure)', () => {
    const valid = JSON.parse(utf8.decode(MANIFEST));
    fc.assert(
      fc.property(mutations(), fc.jsonValue(), fc.array(fc.string(), { maxLength: 3 }), (ops, junk, keys) => {
        // Byte mutations of the text, and a random JSON value grafted somewhere in the valid object.
        const text = utf8.decode(applyMutations(MANIFEST, ops));
        // Own properties only (defineProperty): a key such as "__proto__" must reach the parser as
        // JSON.parse would deliver it, not pollute Object.prototype in this test process.
        const grafted = structuredClone(valid) as Record<string, unknown>;
        let at = grafted;
        for (const k of keys) {
          const next = Object.hasOwn(at, k) ? at[k] : undefined;
          if (next && typeof next === 'object') at = next as Record<string, unknown>;
          else Object.defineProperty(at, k, { value: (at = {}), enumerable: true, writable: true, configurable: true });
        }
        Object.defineProperty(at, 'models', { value: junk, enumerable: true, writable: true, configurable: true });
        for (const input of [text, grafted]) {
          const r = parseManifest(input);
          if (r.ok) count('manifest', 'ok');
          else {
            expect(r.errors.length).toBeGreaterThan(0);
            r.errors.forEach((m) => expect(typeof m).toBe('string'));
            count('manifest', 'error');
          }
        }
      }),
      opts,
    );
  }, TIMEOUT);

  it('pack folder checks', async () => {
    // The pack's own file names (so some selections are complete), nested copies, and junk names.
    const own = (JSON.parse(utf8.decode(MANIFEST)) as { models: { file: string }[] }).models.map((m) => m.file);
    const names = ['manifest.json', ...own, 'flame.bin', 'x/manifest.json', ...own.map((f) => `x/${f}`), ''];
    const pathSets = fc.oneof(fc.constant(['manifest.json', ...own]), fc.uniqueArray(fc.oneof(fc.constantFrom(...names), fc.string()), { maxLength: 8 }));
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.constant([]), mutations()), pathSets, fc.array(fc.nat(4)), async (ops, paths, sizes) => {
        const entries = paths.map((path, i) => ({ path, file: new Blob([path.endsWith('manifest.json') ? applyMutations(MANIFEST, ops) : new Uint8Array(sizes[i] ?? 1)]) }));
        try {
          const r = await readFolderPack(entries);
          if (r.ok) count('pack folder', 'ok');
          else {
            expect(r.errors.length).toBeGreaterThan(0);
            count('pack folder', 'error');
          }
        } catch (e) {
          expectCleanFailure(e, () => false); // readFolderPack reports problems, it never throws
        }
      }),
      opts,
    );
  }, TIMEOUT);

  it('label-file parsers (FER+, generic, AffectNet) and folder names', () => {
    fc.assert(
      fc.property(fc.constantFrom(FERPLUS_CSV, GENERIC_CSV, AFFECTNET_CSV), mutations(), fc.array(fc.string(), { maxLength: 5 }), (valid, ops, paths) => {
        const text = utf8.decode(applyMutations(valid, ops));
        for (const parse of [parseAnyLabelCsv, parseFerPlusCsv, parseLabelCsv]) {
          try {
            const t = parse(text);
            for (const l of t.labels.values()) {
              if (l.distribution) expect(l.distribution.every(Number.isFinite)).toBe(true);
              if (l.valence !== undefined) expect(Number.isFinite(l.valence)).toBe(true);
            }
            t.problems.forEach((p) => expect(typeof p).toBe('string'));
            count('label csv', 'ok');
          } catch (e) {
            expectCleanFailure(e, () => false); // problems are reported in the table, never thrown
          }
        }
        expect(() => labelsFromFolders(paths)).not.toThrow();
      }),
      opts,
    );
  }, TIMEOUT);

  it('prints the counts', () => {
    console.log(`fuzz outcomes (${FUZZ_RUNS} cases per property): ${JSON.stringify(tally)}`);
  });
});
