/**
 * Check a FLAME-regressor pack with onnxruntime-node: the regressor3d model loads, takes the declared
 * input, emits the declared output names/sizes, reproduces the torch outputs recorded at export time
 * (<model>.reference.json), and its parameters decode through flame.bin with the app's FLAME decoder.
 *
 *   npx tsx scripts/flame/check-regressor.ts e2e/.fixtures/synthetic-flame-pack/smirk [more pack dirs...]
 *   npx tsx scripts/flame/check-regressor.ts --strict-manifest <pack>   # also fail on manifest schema errors
 *
 * Exit code 0 when every pack passes.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { parseManifest } from '../../src/core/manifest/parseManifest';
import { parseFlameAsset } from '../../src/core/flame/flameAsset';
import { createFlameDecoder } from '../../src/core/flame/flameDecoder';
import { flameParamsFromRegressor, REGRESSOR_OUTPUTS, type RegressorFamily } from '../../src/core/flame/regressorParams';

interface RegressorEntry {
  id: string;
  role: 'regressor3d';
  family: RegressorFamily;
  file: string;
  input: { name: string; size: [number, number]; channels: number };
  outputs: Record<string, { name: string; size: number }>;
}

function referenceInput(n: number, h: number, w: number): Float32Array {
  // must match training/export/onnx_export.py reference_input()
  const x = new Float32Array(n * 3 * h * w);
  let i = 0;
  for (let b = 0; b < n; b++)
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) x[i++] = 0.5 + 0.45 * Math.sin(0.05 * xx + 0.07 * y + 1.3 * c + 0.9 * b);
  return x;
}

async function checkPack(dir: string, strictManifest: boolean): Promise<string[]> {
  const problems: string[] = [];
  const raw = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  const parsed = parseManifest(raw);
  if (!parsed.ok) {
    const msg = `manifest does not pass src/core/manifest schema: ${parsed.errors.slice(0, 4).join('; ')}${parsed.errors.length > 4 ? ` (+${parsed.errors.length - 4} more)` : ''}`;
    if (strictManifest) problems.push(msg);
    else console.warn(`  warning: ${msg}`);
  }
  const reg = (raw.models as { role: string }[]).find((m) => m.role === 'regressor3d') as RegressorEntry | undefined;
  if (!reg) return [...problems, 'no regressor3d model in manifest'];
  const expected = REGRESSOR_OUTPUTS[reg.family];
  for (const [group, size] of Object.entries(expected)) {
    if (reg.outputs[group]?.size !== size) problems.push(`manifest outputs.${group} should have size ${size}`);
  }

  const t0 = performance.now();
  const session = await ort.InferenceSession.create(join(dir, reg.file), { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const tLoad = performance.now() - t0;
  if (!session.inputNames.includes(reg.input.name)) problems.push(`model inputs ${session.inputNames} lack "${reg.input.name}"`);
  const declared = Object.values(reg.outputs).map((o) => o.name);
  for (const name of declared) if (!session.outputNames.includes(name)) problems.push(`model has no output "${name}" (has ${session.outputNames})`);

  const [h, w] = reg.input.size;
  const n = 2;
  const feeds = { [reg.input.name]: new ort.Tensor('float32', referenceInput(n, h, w), [n, 3, h, w]) };
  const t1 = performance.now();
  const out = await session.run(feeds);
  const tRun = performance.now() - t1;

  const refPath = join(dir, reg.file.replace(/\.onnx$/, '') + '.reference.json');
  const ref = existsSync(refPath) ? (JSON.parse(readFileSync(refPath, 'utf8')).outputs as Record<string, number[][]>) : null;
  let worst = 0;
  const groups: Record<string, Float32Array> = {};
  for (const [group, spec] of Object.entries(reg.outputs)) {
    const t = out[spec.name];
    if (!t) continue;
    if (t.dims.length !== 2 || t.dims[0] !== n || t.dims[1] !== spec.size) {
      problems.push(`output ${spec.name}: dims [${t.dims}], expected [${n},${spec.size}]`);
      continue;
    }
    const data = t.data as Float32Array;
    groups[group] = data.subarray(0, spec.size);
    if (ref?.[spec.name]) {
      for (let b = 0; b < n; b++)
        for (let k = 0; k < spec.size; k++) {
          const r = ref[spec.name][b][k];
          const err = Math.abs(data[b * spec.size + k] - r) / (1 + Math.abs(r));
          worst = Math.max(worst, err);
        }
    }
  }
  if (!ref) problems.push(`no ${refPath}`);
  else if (worst > 1e-3) problems.push(`onnxruntime vs torch: relative error ${worst.toExponential(2)} > 1e-3`);

  const morph = (raw.models as { role: string; file: string }[]).find((m) => m.role === 'morphable');
  let flameNote = 'no morphable model';
  if (morph) {
    const bytes = readFileSync(join(dir, morph.file));
    const asset = parseFlameAsset(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    const dec = createFlameDecoder(asset);
    const params = flameParamsFromRegressor(reg.family, groups);
    const t2 = performance.now();
    const res = dec.decode(params);
    const tDec = performance.now() - t2;
    let finite = true;
    let maxAbs = 0;
    for (const v of res.vertices) {
      if (!Number.isFinite(v)) finite = false;
      maxAbs = Math.max(maxAbs, Math.abs(v));
    }
    if (!finite) problems.push('decoded FLAME vertices are not finite');
    flameNote = `flame.bin ${asset.counts.vertices} vertices, decoded in ${tDec.toFixed(1)} ms (first call), max |v| ${maxAbs.toFixed(3)} m`;
  }
  console.log(
    `  ${reg.family}: outputs ${declared.map((d) => `${d}[${reg.outputs[Object.keys(reg.outputs).find((g) => reg.outputs[g].name === d) as string].size}]`).join(' ')}; ` +
      `load ${tLoad.toFixed(0)} ms, run (batch ${n}) ${tRun.toFixed(0)} ms, max rel. error vs torch ${worst.toExponential(2)}; ${flameNote}`,
  );
  return problems;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const strict = args.includes('--strict-manifest');
  const dirs = args.filter((a) => !a.startsWith('--'));
  if (!dirs.length) {
    console.error('usage: npx tsx scripts/flame/check-regressor.ts [--strict-manifest] <pack dir>...');
    process.exit(2);
  }
  let failed = 0;
  for (const dir of dirs) {
    console.log(`${dir}:`);
    const problems = await checkPack(dir, strict);
    for (const p of problems) console.error(`  FAIL ${p}`);
    if (problems.length) failed++;
    else console.log('  ok');
  }
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
