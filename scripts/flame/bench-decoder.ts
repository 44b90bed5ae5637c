/**
 * Time the FLAME decoder on the full-size parity fixture (FLAME 2020 shapes).
 *
 *   /usr/bin/python3 training/export/flame_numpy.py --fixture .cache/flame-fixture   # once
 *   npx tsx scripts/flame/bench-decoder.ts [.cache/flame-fixture]
 */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { parseFlameAsset } from '../../src/core/flame/flameAsset';
import { createFlameDecoder } from '../../src/core/flame/flameDecoder';

const dir = process.argv[2] ?? '.cache/flame-fixture';
const buf = readFileSync(join(dir, 'flame.bin'));
let t = performance.now();
const asset = parseFlameAsset(new Uint8Array(buf));
console.log('parse+validate ms', (performance.now() - t).toFixed(1));
const cases = JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8')).cases;
const base = cases.find((c: { name: string }) => c.name === 'smirk-like').params;
for (const backend of ['wasm', 'js'] as const) {
  t = performance.now();
  const dec = createFlameDecoder(asset, { backend });
  const tInit = performance.now() - t;
  const shapes = Array.from({ length: 8 }, (_, k) => Float32Array.from(base.shape, (x: number) => x + k * 0.01));
  const shapes100 = shapes.map((s) => s.slice(0, 100));
  const exps = Array.from({ length: 8 }, (_, k) => Float32Array.from(base.exp, (x: number) => x - k * 0.01));
  const one = (shape: Float32Array, i: number) => dec.decode({ ...base, shape, exp: exps[i % 8] });
  const measure = (pick: (i: number) => Float32Array) => {
    const per: number[] = [];
    for (let r = 0; r < 7; r++) { const t0 = performance.now(); for (let i = 0; i < 15; i++) one(pick(i), i); per.push((performance.now() - t0) / 15); }
    per.sort((a, b) => a - b); return `min ${per[0].toFixed(2)} / median ${per[3].toFixed(2)} ms`;
  };
  measure((i) => shapes[i % 8]);
  console.log(backend, `init ${tInit.toFixed(0)} ms |`, 'smirk 300 shape, new each call:', measure((i) => shapes[i % 8]), '| emoca 100 shape, new each call:', measure((i) => shapes100[i % 8]), '| identity unchanged:', measure(() => shapes[0]));
}
