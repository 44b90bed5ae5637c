/**
 * Browser side of batch input: turn a drop (folders walked with webkitGetAsEntry) or an
 * <input type=file> selection into files with relative paths.
 */
import type { InputFile } from './prepareBatch';

/** From an <input type=file> (with or without webkitdirectory). */
export function filesFromInput(list: FileList | readonly File[]): InputFile[] {
  return Array.from(list, (file) => ({ path: file.webkitRelativePath || file.name, file }));
}

function readAllEntries(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  // readEntries returns at most ~100 entries per call: keep reading until it returns none.
  return new Promise((resolve, reject) => {
    const all: FileSystemEntry[] = [];
    const next = () =>
      reader.readEntries((batch) => {
        if (batch.length === 0) resolve(all);
        else {
          all.push(...batch);
          next();
        }
      }, reject);
    next();
  });
}

const fileOf = (entry: FileSystemFileEntry) => new Promise<File>((resolve, reject) => entry.file(resolve, reject));

async function walk(entry: FileSystemEntry, prefix: string, out: InputFile[], problems: string[]): Promise<void> {
  const path = prefix ? `${prefix}/${entry.name}` : entry.name;
  if (entry.isFile) {
    try {
      out.push({ path, file: await fileOf(entry as FileSystemFileEntry) });
    } catch (e) {
      problems.push(`${path}: could not be read (${(e as Error).message})`);
    }
  } else if (entry.isDirectory) {
    try {
      const children = await readAllEntries((entry as FileSystemDirectoryEntry).createReader());
      for (const c of children) await walk(c, path, out, problems);
    } catch (e) {
      problems.push(`${path}/: folder could not be read (${(e as Error).message})`);
    }
  }
}

/** From a drop: folders are walked recursively; plain files keep their names. */
export async function filesFromDataTransfer(dt: DataTransfer): Promise<{ files: InputFile[]; problems: string[] }> {
  const out: InputFile[] = [];
  const problems: string[] = [];
  // Entries must be taken synchronously, before the first await: the DataTransfer empties after the event.
  const entries: (FileSystemEntry | null)[] = [];
  const plain: File[] = [];
  for (const item of Array.from(dt.items ?? [])) {
    if (item.kind !== 'file') continue;
    const entry = typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null;
    if (entry) entries.push(entry);
    else {
      const f = item.getAsFile();
      if (f) plain.push(f);
    }
  }
  if (entries.length === 0 && plain.length === 0 && dt.files?.length) plain.push(...Array.from(dt.files));
  for (const e of entries) if (e) await walk(e, '', out, problems);
  for (const f of plain) out.push({ path: f.webkitRelativePath || f.name, file: f });
  return { files: out, problems };
}
