/**
 * Packs the user loaded, kept in this browser's IndexedDB for the next visit (nothing is
 * uploaded). Metadata and file bytes live in separate stores so listing stays cheap.
 */
export interface SavedPackMeta {
  /** The manifest's name: loading a pack with the same name replaces it. */
  id: string;
  name: string;
  synthetic: boolean;
  savedAt: number;
  bytes: number;
}

interface SavedPackFiles {
  id: string;
  manifestText: string;
  files: Record<string, ArrayBuffer>;
}

const DB_NAME = 'ig3d-packs';
const META = 'meta';
const FILES = 'files';

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => {
      req.result.createObjectStore(META, { keyPath: 'id' });
      req.result.createObjectStore(FILES, { keyPath: 'id' });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB unavailable'));
  });
}

async function tx<T>(stores: string[], mode: IDBTransactionMode, fn: (t: IDBTransaction) => IDBRequest<T> | void): Promise<T | undefined> {
  const db = await openDb();
  try {
    return await new Promise<T | undefined>((resolve, reject) => {
      const t = db.transaction(stores, mode);
      const req = fn(t);
      t.oncomplete = () => resolve(req ? req.result : undefined);
      t.onerror = () => reject(t.error ?? new Error('IndexedDB transaction failed'));
      t.onabort = () => reject(t.error ?? new Error('IndexedDB transaction aborted (storage full?)'));
    });
  } finally {
    db.close();
  }
}

export async function listSavedPacks(): Promise<SavedPackMeta[]> {
  const all = (await tx<SavedPackMeta[]>([META], 'readonly', (t) => t.objectStore(META).getAll())) ?? [];
  return all.sort((a, b) => b.savedAt - a.savedAt);
}

export async function savePack(manifestText: string, name: string, synthetic: boolean, files: Record<string, ArrayBuffer>): Promise<SavedPackMeta> {
  const meta: SavedPackMeta = { id: name, name, synthetic, savedAt: Date.now(), bytes: Object.values(files).reduce((s, b) => s + b.byteLength, 0) };
  await tx([META, FILES], 'readwrite', (t) => {
    t.objectStore(FILES).put({ id: name, manifestText, files } satisfies SavedPackFiles);
    t.objectStore(META).put(meta);
  });
  return meta;
}

export async function loadSavedPack(id: string): Promise<SavedPackFiles | undefined> {
  return tx<SavedPackFiles>([FILES], 'readonly', (t) => t.objectStore(FILES).get(id));
}

export async function deleteSavedPack(id: string): Promise<void> {
  await tx([META, FILES], 'readwrite', (t) => {
    t.objectStore(META).delete(id);
    t.objectStore(FILES).delete(id);
  });
}
