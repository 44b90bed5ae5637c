#!/usr/bin/env node
// `npm run setup`: provisions the third-party models listed in models.lock.json into
// public/models/third_party/ and copies the runtime wasm the app serves itself into public/vendor/.
// Models come from $IG3D_MODELS_DIR (if set) or ../shared/models/, else from their official URL;
// every model's sha256 is checked either way. Exits non-zero with a message on any failure.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProvisionError, copyRuntimeAssets, formatMB, provisionModel, readLock } from './lib/provision.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const t0 = performance.now();
const log = (msg) => console.log(`setup: ${msg}`);

function localModelsDir() {
  const fromEnv = process.env.IG3D_MODELS_DIR;
  if (fromEnv) {
    const dir = path.resolve(fromEnv);
    if (!existsSync(dir)) log(`warning: IG3D_MODELS_DIR=${fromEnv} does not exist; models will be downloaded`);
    return dir;
  }
  return path.resolve(repoRoot, '..', 'shared', 'models');
}

async function main() {
  const entries = await readLock(path.join(repoRoot, 'models.lock.json'));
  const sharedDir = localModelsDir();
  const failures = [];
  for (const entry of entries) {
    try {
      const r = await provisionModel(entry, { sharedDir, destRoot: repoRoot });
      const rel = path.relative(repoRoot, r.dest);
      const what = { present: 'already present, sha256 ok', copied: `copied from ${r.source}`, downloaded: `downloaded from ${r.source}` }[r.action];
      log(`${rel} (${formatMB(r.bytes)}, ${entry.licence}): ${what}`);
    } catch (err) {
      failures.push(err);
      console.error(`setup: ERROR ${entry.name}: ${err instanceof ProvisionError ? err.message : err.stack}`);
    }
  }

  const vendorDir = path.join(repoRoot, 'public', 'vendor');
  const assets = await copyRuntimeAssets({ nodeModulesDir: path.join(repoRoot, 'node_modules'), vendorDir });
  log(
    `public/vendor/: ${assets.copied.length} file(s) copied, ${assets.upToDate.length} up to date ` +
      `(${formatMB(assets.bytes)}: @mediapipe/tasks-vision/wasm)`,
  );

  if (failures.length) {
    console.error(`setup: FAILED (${failures.length} of ${entries.length} model(s) not provisioned)`);
    process.exit(1);
  }
  log(`done: ${entries.length} model(s) ok in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

main().catch((err) => {
  console.error(`setup: ERROR ${err instanceof ProvisionError ? err.message : err.stack}`);
  process.exit(1);
});
