/**
 * A pack the user brings as a folder (dropped or picked): find manifest.json, validate it, check
 * that every file it names is there, and read those files. Errors say what to fix.
 */
import { parseManifest } from '../core/manifest/parseManifest';
import type { Manifest } from '../core/manifest/schema';

/** A file of the dropped/picked selection, `path` relative to what the user chose ("smirk/flame.bin"). */
export interface PackEntry {
  path: string;
  file: Blob;
}

export type FolderPackResult =
  | { ok: true; manifest: Manifest; manifestText: string; files: Record<string, ArrayBuffer> }
  | { ok: false; errors: string[] };

/** Where manifest.json sits: the pack root, as a path prefix ("" or "smirk/"). Shallowest wins. */
export function packRoot(paths: readonly string[]): string | undefined {
  const manifests = paths.filter((p) => p === 'manifest.json' || p.endsWith('/manifest.json'));
  if (!manifests.length) return undefined;
  const shallowest = manifests.reduce((a, b) => (a.split('/').length <= b.split('/').length ? a : b));
  return shallowest.slice(0, -'manifest.json'.length);
}

/** Files the manifest names (models only; cards are documentation and optional). */
export function requiredFiles(manifest: Manifest): { path: string; model: string }[] {
  return manifest.models.map((m) => ({ path: m.file, model: `${m.id} (${m.role})` }));
}

/** One message per file the manifest names that the selection lacks. */
export function missingFiles(manifest: Manifest, available: ReadonlySet<string>): string[] {
  return requiredFiles(manifest)
    .filter((f) => !available.has(f.path))
    .map((f) => `missing file: ${f.path} (named by model ${f.model} in manifest.json)`);
}

export async function readFolderPack(entries: readonly PackEntry[]): Promise<FolderPackResult> {
  const root = packRoot(entries.map((e) => e.path));
  if (root === undefined) return { ok: false, errors: ['no manifest.json in what was chosen: pick the pack folder (manifest.json + its model files)'] };
  const byPath = new Map<string, Blob>();
  for (const e of entries) if (e.path.startsWith(root)) byPath.set(e.path.slice(root.length), e.file);

  const manifestText = await byPath.get('manifest.json')!.text();
  const parsed = parseManifest(manifestText);
  if (!parsed.ok) return { ok: false, errors: parsed.errors.map((m) => `manifest.json: ${m}`) };
  const missing = missingFiles(parsed.manifest, new Set(byPath.keys()));
  if (missing.length) return { ok: false, errors: missing };

  const files: Record<string, ArrayBuffer> = {};
  for (const { path } of requiredFiles(parsed.manifest)) {
    const blob = byPath.get(path)!;
    if (blob.size === 0) return { ok: false, errors: [`${path} is empty`] };
    files[path] = await blob.arrayBuffer();
  }
  return { ok: true, manifest: parsed.manifest, manifestText, files };
}

/** Files from an <input type="file" webkitdirectory> (or multiple) selection. */
export function entriesFromFileList(list: FileList | readonly File[]): PackEntry[] {
  return Array.from(list, (f) => ({ path: f.webkitRelativePath || f.name, file: f }));
}

/** Files from a drop: folders are walked (FileSystemEntry API), loose files kept by name. */
export async function entriesFromDrop(dt: DataTransfer): Promise<PackEntry[]> {
  const roots = Array.from(dt.items)
    .map((i) => i.webkitGetAsEntry?.())
    .filter((e): e is FileSystemEntry => !!e);
  if (!roots.length) return entriesFromFileList(dt.files);
  const out: PackEntry[] = [];
  const walk = async (entry: FileSystemEntry, prefix: string): Promise<void> => {
    if (entry.isFile) {
      const file = await new Promise<File>((res, rej) => (entry as FileSystemFileEntry).file(res, rej));
      out.push({ path: prefix + entry.name, file });
      return;
    }
    const reader = (entry as FileSystemDirectoryEntry).createReader();
    // readEntries returns at most ~100 entries per call: read until empty.
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((res, rej) => reader.readEntries(res, rej));
      if (!batch.length) break;
      for (const child of batch) await walk(child, `${prefix}${entry.name}/`);
    }
  };
  for (const r of roots) await walk(r, '');
  return out;
}
