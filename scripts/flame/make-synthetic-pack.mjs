#!/usr/bin/env node
/**
 * Test-setup helper: make sure the synthetic FLAME packs exist and are current, regenerating them
 * with training/export/make_synthetic_pack.py when the generator changed, then copy the MediaPipe
 * landmarker next to each manifest (the packs name face_landmarker.task but do not contain it).
 *
 *   node scripts/flame/make-synthetic-pack.mjs [--out e2e/.fixtures/synthetic-flame-pack]
 *        [--family all|smirk|emoca-v2] [--landmarker public/models/third_party/face_landmarker.task]
 *        [--python /usr/bin/python3] [--force]
 *
 * Prints the pack folders (one per line) on success. Exit code 1 with the reason when Python
 * (torch, torchvision, onnx, numpy) is missing. Takes ~40 s for both families on 2 busy cores.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const GENERATOR_FILES = [
  'training/export/make_synthetic_pack.py',
  'training/export/onnx_export.py',
  'training/export/regressor_modules.py',
  'training/export/export_flame.py',
  'training/export/flame_bin.py',
  'training/export/flame_numpy.py',
];

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const out = resolve(ROOT, arg('out', 'e2e/.fixtures/synthetic-flame-pack'));
const family = arg('family', 'all');
const landmarker = resolve(ROOT, arg('landmarker', 'public/models/third_party/face_landmarker.task'));
const python = arg('python', process.env.FLAME_PYTHON || '/usr/bin/python3');
const force = process.argv.includes('--force');
const families = family === 'all' ? ['smirk', 'emoca-v2'] : [family];
const packDirs = family === 'all' ? families.map((f) => join(out, f)) : [out];

const hash = createHash('sha256');
for (const f of GENERATOR_FILES) hash.update(f).update(readFileSync(join(ROOT, f)));
hash.update(family);
const stamp = hash.digest('hex');
const stampFile = join(out, '.generator-stamp');

const current =
  !force &&
  existsSync(stampFile) &&
  readFileSync(stampFile, 'utf8').trim() === stamp &&
  packDirs.every((d) => ['manifest.json', 'regressor.onnx', 'flame.bin'].every((f) => existsSync(join(d, f))));

if (!current) {
  mkdirSync(out, { recursive: true });
  const r = spawnSync(python, [join(ROOT, 'training/export/make_synthetic_pack.py'), '--out', out, '--family', family], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.status !== 0) {
    console.error(`make-synthetic-pack: ${python} failed (${r.error?.message ?? `exit ${r.status}`}); needs torch, torchvision, onnx, numpy`);
    process.exit(1);
  }
  writeFileSync(stampFile, stamp + '\n');
}

for (const d of packDirs) {
  const dest = join(d, 'face_landmarker.task');
  if (existsSync(landmarker)) {
    rmSync(dest, { force: true }); // the source may be read-only, and copyFile keeps the mode
    copyFileSync(landmarker, dest);
  }
  else if (!existsSync(dest)) console.warn(`make-synthetic-pack: ${landmarker} not found (run npm run setup); ${dest} is missing`);
  console.log(d);
}
