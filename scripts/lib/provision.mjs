// Model and runtime-asset provisioning for `npm run setup` (see scripts/setup-models.mjs).
// Everything here is importable so tests/setup/provision.test.ts can exercise it against a local server.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, readFile, readdir, rename, stat, unlink, utimes } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Every model's `dest` must live here (gitignored). */
export const MODELS_DEST_PREFIX = 'public/models/third_party/';

export class ProvisionError extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = 'ProvisionError';
  }
}

const SHA256_RE = /^[0-9a-f]{64}$/;

/** Throws a ProvisionError unless `entry` is a well-formed models.lock.json entry. */
export function validateEntry(entry) {
  const where = `models.lock.json entry ${JSON.stringify(entry?.name ?? entry)}`;
  if (!entry || typeof entry !== 'object') throw new ProvisionError(`${where}: not an object`);
  for (const key of ['name', 'url', 'sha256', 'licence', 'dest']) {
    if (typeof entry[key] !== 'string' || entry[key] === '') throw new ProvisionError(`${where}: missing "${key}"`);
  }
  if (!SHA256_RE.test(entry.sha256)) throw new ProvisionError(`${where}: sha256 must be 64 lowercase hex digits`);
  if (!/^https?:\/\//.test(entry.url)) throw new ProvisionError(`${where}: url must be http(s)`);
  const dest = path.posix.normalize(entry.dest);
  if (!dest.startsWith(MODELS_DEST_PREFIX) || dest === MODELS_DEST_PREFIX || dest !== entry.dest) {
    throw new ProvisionError(`${where}: dest must be a normalised path under ${MODELS_DEST_PREFIX}`);
  }
  if (entry.size !== undefined && !(Number.isInteger(entry.size) && entry.size >= 0)) {
    throw new ProvisionError(`${where}: size must be a non-negative integer`);
  }
  return entry;
}

/** Reads and validates models.lock.json; returns its entries. */
export async function readLock(lockPath) {
  let json;
  try {
    json = JSON.parse(await readFile(lockPath, 'utf8'));
  } catch (err) {
    throw new ProvisionError(`cannot read ${lockPath}: ${err.message}`);
  }
  if (!Array.isArray(json?.models)) throw new ProvisionError(`${lockPath}: expected {"models": [...]}`);
  const names = new Set();
  for (const entry of json.models) {
    validateEntry(entry);
    if (names.has(entry.dest)) throw new ProvisionError(`${lockPath}: duplicate dest ${entry.dest}`);
    names.add(entry.dest);
  }
  return json.models;
}

/** sha256 (hex) of a file, or null if it does not exist. */
export async function sha256File(file) {
  const hash = createHash('sha256');
  try {
    await pipeline(createReadStream(file), hash);
  } catch (err) {
    if (err.code === 'ENOENT') return null;
    throw err;
  }
  return hash.digest('hex');
}

const mb = (bytes) => `${(bytes / 1048576).toFixed(1)} MB`;

/**
 * Streams `source` (a Node Readable) into a temp file beside `dest` while hashing it; renames it
 * into place only if the sha256 matches. On any failure the temp file is removed.
 */
async function installVerified(source, { entry, dest, sourceLabel, onChunk }) {
  await mkdir(path.dirname(dest), { recursive: true });
  const tmp = `${dest}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    await pipeline(
      source,
      async function* (chunks) {
        for await (const chunk of chunks) {
          hash.update(chunk);
          bytes += chunk.length;
          onChunk?.();
          yield chunk;
        }
      },
      createWriteStream(tmp, { mode: 0o644 }),
    );
    const actual = hash.digest('hex');
    if (actual !== entry.sha256) {
      const sizeNote = entry.size !== undefined && entry.size !== bytes ? ` (got ${bytes} bytes, expected ${entry.size})` : '';
      throw new ProvisionError(
        [
          `sha256 mismatch for ${entry.name}${sizeNote}; the file was NOT installed.`,
          `  source:   ${sourceLabel}`,
          `  expected: ${entry.sha256}`,
          `  actual:   ${actual}`,
        ].join('\n'),
      );
    }
    await rename(tmp, dest);
    return bytes;
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
}

function describeNetworkError(err) {
  const cause = err?.cause ?? err;
  const parts = [cause?.code, cause?.message ?? String(cause)].filter(Boolean);
  return [...new Set(parts)].join(' ');
}

/**
 * Makes `entry.dest` (relative to destRoot) hold the file with `entry.sha256`.
 * Order: already there and correct → skip; `sharedDir/<basename of dest>` exists → copy; else download `entry.url`.
 * @returns {Promise<{name: string, action: 'present'|'copied'|'downloaded', dest: string, source: string, bytes: number}>}
 */
export async function provisionModel(entry, { sharedDir, destRoot, fetchImpl = globalThis.fetch, idleTimeoutMs = 60_000 } = {}) {
  validateEntry(entry);
  if (!destRoot) throw new ProvisionError('provisionModel: destRoot is required');
  const dest = path.resolve(destRoot, entry.dest);

  const existing = await sha256File(dest);
  if (existing === entry.sha256) {
    return { name: entry.name, action: 'present', dest, source: dest, bytes: (await stat(dest)).size };
  }
  // A wrong file must never be served, even if replacing it fails below.
  if (existing !== null) await unlink(dest);

  if (sharedDir) {
    const local = path.resolve(sharedDir, path.basename(entry.dest));
    const localStat = await stat(local).catch(() => null);
    if (localStat?.isFile()) {
      const bytes = await installVerified(createReadStream(local), { entry, dest, sourceLabel: `${local} (local copy)` });
      return { name: entry.name, action: 'copied', dest, source: local, bytes };
    }
  }

  // Download. An idle timer (reset on every chunk) aborts connections that hang instead of failing.
  const controller = new AbortController();
  let timer;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(new Error(`no data for ${idleTimeoutMs / 1000} s`)), idleTimeoutMs);
  };
  const hint = `Put the file in $IG3D_MODELS_DIR or ../shared/models/ (sha256 ${entry.sha256}) and re-run \`npm run setup\`.`;
  arm();
  try {
    let res;
    try {
      res = await fetchImpl(entry.url, { redirect: 'follow', signal: controller.signal });
    } catch (err) {
      throw new ProvisionError(
        `could not download ${entry.name} from ${entry.url}: network unreachable (${describeNetworkError(err)}). Offline? ${hint}`,
        { cause: err },
      );
    }
    if (!res.ok || !res.body) {
      throw new ProvisionError(`could not download ${entry.name}: HTTP ${res.status} ${res.statusText} from ${entry.url}. ${hint}`);
    }
    let bytes;
    try {
      bytes = await installVerified(Readable.fromWeb(res.body), {
        entry,
        dest,
        sourceLabel: res.url && res.url !== entry.url ? `${entry.url} (redirected to ${res.url})` : entry.url,
        onChunk: arm,
      });
    } catch (err) {
      if (err instanceof ProvisionError) throw err;
      throw new ProvisionError(`download of ${entry.name} from ${entry.url} failed midway (${describeNetworkError(err)}). ${hint}`, {
        cause: err,
      });
    }
    return { name: entry.name, action: 'downloaded', dest, source: entry.url, bytes };
  } finally {
    clearTimeout(timer);
  }
}

/** Runtime files the app serves from its own origin (never a CDN), relative to node_modules. */
// onnxruntime-web's runtime is not here: the app imports its wasm as a Vite asset
// (src/worker/assetUrls.ts), so the build ships exactly the one file it uses.
export const RUNTIME_ASSETS = [{ from: '@mediapipe/tasks-vision/wasm', to: 'mediapipe', files: '*' }];

/**
 * Copies RUNTIME_ASSETS from nodeModulesDir into vendorDir. A file whose size and mtime already match is
 * left alone (copies keep the source's mtime).
 * @returns {Promise<{copied: string[], upToDate: string[], bytes: number}>} dest paths relative to vendorDir
 */
export async function copyRuntimeAssets({ nodeModulesDir, vendorDir, assets = RUNTIME_ASSETS }) {
  const result = { copied: [], upToDate: [], bytes: 0 };
  for (const group of assets) {
    const fromDir = path.join(nodeModulesDir, group.from);
    let files = group.files;
    if (files === '*') {
      const entries = await readdir(fromDir, { withFileTypes: true }).catch((err) => {
        throw new ProvisionError(`cannot read ${fromDir} (${err.code}); run \`npm ci\` first`);
      });
      files = entries.filter((e) => e.isFile()).map((e) => e.name);
    }
    const toDir = path.join(vendorDir, group.to);
    await mkdir(toDir, { recursive: true });
    for (const file of files) {
      const src = path.join(fromDir, file);
      const dst = path.join(toDir, file);
      const srcStat = await stat(src).catch(() => {
        throw new ProvisionError(`missing ${src}; run \`npm ci\` first (is the package version in package.json right?)`);
      });
      const dstStat = await stat(dst).catch(() => null);
      const rel = path.relative(vendorDir, dst);
      result.bytes += srcStat.size;
      if (dstStat && dstStat.size === srcStat.size && Math.abs(dstStat.mtimeMs - srcStat.mtimeMs) < 2) {
        result.upToDate.push(rel);
        continue;
      }
      const tmp = `${dst}.tmp-${process.pid}`;
      await copyFile(src, tmp);
      await utimes(tmp, srcStat.atime, srcStat.mtime);
      await rename(tmp, dst);
      result.copied.push(rel);
    }
  }
  return result;
}

export { mb as formatMB };
