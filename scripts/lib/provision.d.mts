// Types for provision.mjs (plain JS so `node scripts/setup-models.mjs` needs no build step).
export const MODELS_DEST_PREFIX: string;

export interface ModelEntry {
  name: string;
  url: string;
  sha256: string;
  licence: string;
  /** Path under public/models/third_party/, relative to the repo root (or destRoot). */
  dest: string;
  size?: number;
  description?: string;
}

export class ProvisionError extends Error {}

export interface ProvisionOptions {
  /** Directory searched for `basename(dest)` before downloading ($IG3D_MODELS_DIR or ../shared/models). */
  sharedDir?: string | null;
  /** Root that `entry.dest` is relative to (the repo root). */
  destRoot: string;
  fetchImpl?: typeof fetch;
  /** Abort a download that delivers no data for this long (default 60 000 ms). */
  idleTimeoutMs?: number;
}

export interface ProvisionResult {
  name: string;
  action: 'present' | 'copied' | 'downloaded';
  /** Absolute path of the installed file. */
  dest: string;
  /** Local path or URL it came from. */
  source: string;
  bytes: number;
}

export function validateEntry(entry: unknown): ModelEntry;
export function readLock(lockPath: string): Promise<ModelEntry[]>;
export function sha256File(file: string): Promise<string | null>;
export function provisionModel(entry: ModelEntry, options: ProvisionOptions): Promise<ProvisionResult>;

export interface RuntimeAssetGroup {
  /** Directory relative to node_modules. */
  from: string;
  /** Directory relative to vendorDir. */
  to: string;
  files: string[] | '*';
}
export const RUNTIME_ASSETS: RuntimeAssetGroup[];
export function copyRuntimeAssets(options: {
  nodeModulesDir: string;
  vendorDir: string;
  assets?: RuntimeAssetGroup[];
}): Promise<{ copied: string[]; upToDate: string[]; bytes: number }>;
export function formatMB(bytes: number): string;
