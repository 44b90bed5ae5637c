/**
 * Model packs the user can switch between: the built-in one and packs they loaded before
 * (kept in IndexedDB). Loading goes through pipelineStore.loadPack, which keeps the current
 * pack running when the new one fails.
 */
import { create } from 'zustand';
import { parseManifest } from '../core/manifest/parseManifest';
import { readFolderPack, type PackEntry } from '../packs/folderPack';
import { deleteSavedPack, listSavedPacks, loadSavedPack, savePack, type SavedPackMeta } from '../packs/packDb';
import { usePipelineStore } from './pipelineStore';

interface PackState {
  saved: SavedPackMeta[];
  /** What is being loaded, for the UI ("Loading pack …"). */
  busy?: string;
  /** Why the last pack did not load (the previous one keeps running). */
  error?: string;
  /** Non-fatal: e.g. the pack loaded but could not be remembered. */
  notice?: string;
  refresh: () => Promise<void>;
  loadFolder: (entries: PackEntry[]) => Promise<void>;
  select: (id: string) => Promise<void>;
  remove: (id: string) => Promise<void>;
}

export const BUILTIN_PACK_ID = 'builtin';

function stillRunning(): string {
  const name = usePipelineStore.getState().manifest?.name;
  return name ? `\nStill running on the previous pack: ${name}.` : '';
}

export const usePackStore = create<PackState>()((set, get) => {
  const fail = (what: string, errors: string[]) => set({ busy: undefined, error: `${what} was not loaded:\n${errors.join('\n')}${stillRunning()}` });

  return {
    saved: [],
    async refresh() {
      try {
        set({ saved: await listSavedPacks() });
      } catch (e) {
        set({ notice: `Saved packs are unavailable in this browser: ${(e as Error).message}` });
      }
    },

    async loadFolder(entries) {
      set({ busy: 'Reading the pack…', error: undefined, notice: undefined });
      const read = await readFolderPack(entries).catch((e: Error) => ({ ok: false as const, errors: [e.message] }));
      if (!read.ok) return fail('The pack', read.errors);
      const { manifest, manifestText, files } = read;
      set({ busy: `Loading pack “${manifest.name}”…` });
      const error = await usePipelineStore.getState().loadPack({ kind: 'files', id: manifest.name, manifest, files });
      if (error) return fail(`Pack “${manifest.name}”`, [error]);
      set({ busy: undefined });
      try {
        await savePack(manifestText, manifest.name, manifest.synthetic, files);
      } catch (e) {
        set({ notice: `Loaded, but not remembered for the next visit: ${(e as Error).message}` });
      }
      await get().refresh();
    },

    async select(id) {
      set({ busy: 'Loading pack…', error: undefined, notice: undefined });
      if (id === BUILTIN_PACK_ID) {
        const error = await usePipelineStore.getState().loadPack({ kind: 'builtin' });
        return error ? fail('The built-in pack', [error]) : set({ busy: undefined });
      }
      const stored = await loadSavedPack(id).catch(() => undefined);
      if (!stored) return fail(`Saved pack “${id}”`, ['it is no longer stored in this browser']);
      const parsed = parseManifest(stored.manifestText);
      if (!parsed.ok) return fail(`Saved pack “${id}”`, parsed.errors);
      const error = await usePipelineStore.getState().loadPack({ kind: 'files', id, manifest: parsed.manifest, files: stored.files });
      return error ? fail(`Saved pack “${id}”`, [error]) : set({ busy: undefined });
    },

    async remove(id) {
      await deleteSavedPack(id).catch(() => undefined);
      await get().refresh();
    },
  };
});
