/**
 * From a dropped folder (files with relative paths) to a batch plan: which files are images,
 * videos, label tables or something else; each image's label; and the preview a person sees
 * before the run (counts per class, files without labels, folder names that are not classes,
 * files that will be reported as not images). Framework-free; needs only Blob.text().
 */
import { EXPRESSIONS, type Expression } from '../core/classes/expressionClasses';
import { labelFromFolder, labelKey, parseAnyLabelCsv, type ItemLabel, type LabelTable } from '../core/labels/datasetLabels';
import { kindFromName } from './fileKinds';

export interface InputFile {
  /** Relative path with '/' separators, e.g. `mydata/happy/img1.png`. */
  path: string;
  file: Blob;
}

export interface LabelFileInfo {
  path: string;
  source: LabelTable['source'] | 'unused';
  entries: number;
  problems: string[];
}

export interface PlannedFile extends InputFile {
  label?: ItemLabel;
  /** Where the label came from: 'folder', a CSV path, or both. */
  labelFrom?: string;
}

export interface BatchPreview {
  images: number;
  videos: number;
  perClass: Record<Expression, number>;
  withVA: number;
  unlabelled: string[];
  unmatchedFolders: string[];
  /** Files that are neither images, videos nor label tables; each will get an error row. */
  nonMedia: string[];
  /** Hidden files and OS files (.DS_Store, Thumbs.db…) that are skipped without a row. */
  skipped: number;
  labelFiles: LabelFileInfo[];
}

export interface BatchPlan {
  images: PlannedFile[];
  videos: PlannedFile[];
  others: PlannedFile[];
  preview: BatchPreview;
}

const dirOf = (p: string) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');

/** The folder every path starts with, if there is exactly one (the dropped folder itself). */
export function commonRoot(paths: readonly string[]): string | undefined {
  if (paths.length === 0) return undefined;
  const first = paths[0].split('/')[0];
  return paths.every((p) => p.includes('/') && p.split('/')[0] === first) ? first : undefined;
}

function mergeLabel(a: ItemLabel | undefined, b: ItemLabel | undefined): ItemLabel | undefined {
  if (!a) return b;
  if (!b) return a;
  return {
    expression: a.expression ?? b.expression,
    distribution: a.distribution ?? b.distribution,
    valence: a.valence ?? b.valence,
    arousal: a.arousal ?? b.arousal,
  };
}

const hasContent = (l?: ItemLabel) => !!l && (l.expression !== undefined || l.valence !== undefined || l.arousal !== undefined);

/** Files handled between two yields to the event loop: keeps each task short on a 100,000-file drop. */
const FILES_PER_SLICE = 5_000;
/** Case-insensitive, digit runs zero-padded so that they compare as numbers. */
const naturalKey = (path: string) => path.toLowerCase().replace(/\d+/g, (d) => d.padStart(16, '0'));
const yieldToPage = () => new Promise<void>((r) => setTimeout(r, 0));

export async function planBatch(files: readonly InputFile[]): Promise<BatchPlan> {
  const norm = files.map((f) => ({ ...f, path: f.path.replace(/\\/g, '/').replace(/^\/+/, '') }));
  // Natural order ("img2" before "img10") by a precomputed key compared with `<`: localeCompare
  // with options builds a collator per comparison, which froze the page for ~20 s on a
  // 100,000-file drop, and even one shared Intl.Collator took ~2 s there (issue #15).
  const keyed = norm.map((f) => ({ f, key: naturalKey(f.path) }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  keyed.forEach(({ f }, i) => (norm[i] = f));
  await yieldToPage();
  const root = commonRoot(norm.map((f) => f.path));

  const images: PlannedFile[] = [];
  const videos: PlannedFile[] = [];
  const others: PlannedFile[] = [];
  const tables: { dir: string; table: LabelTable }[] = [];
  const labelFiles: LabelFileInfo[] = [];
  let skipped = 0;

  for (const [i, f] of norm.entries()) {
    if (i % FILES_PER_SLICE === FILES_PER_SLICE - 1) await yieldToPage();
    const kind = kindFromName(f.path);
    if (kind === 'system') skipped++;
    else if (kind === 'image') images.push(f);
    else if (kind === 'video') videos.push(f);
    else if (kind === 'labels') {
      const table = parseAnyLabelCsv(await f.file.text());
      if (table.labels.size === 0) {
        // Not a label table (or an empty one): report it like any other non-media file.
        labelFiles.push({ path: f.path, source: 'unused', entries: 0, problems: table.problems.slice(0, 5) });
        others.push(f);
      } else {
        tables.push({ dir: dirOf(f.path), table });
        labelFiles.push({ path: f.path, source: table.source, entries: table.labels.size, problems: table.problems });
      }
    } else others.push(f);
  }
  // Nearest table first: a CSV applies to files in its folder and below.
  tables.sort((a, b) => b.dir.length - a.dir.length);

  const perClass = Object.fromEntries(EXPRESSIONS.map((e) => [e, 0])) as Record<Expression, number>;
  const unmatched = new Set<string>();
  const unlabelled: string[] = [];
  let withVA = 0;
  for (const [i, f] of images.entries()) {
    if (i % FILES_PER_SLICE === FILES_PER_SLICE - 1) await yieldToPage();
    let fromCsv: ItemLabel | undefined;
    let csvPath: string | undefined;
    for (const { dir, table } of tables) {
      if (dir && !f.path.startsWith(`${dir}/`)) continue;
      const l = table.labels.get(labelKey(f.path));
      if (l) {
        fromCsv = l;
        csvPath = labelFiles.find((x) => dirOf(x.path) === dir && x.source === table.source)?.path;
        break;
      }
    }
    const folderExpr = labelFromFolder(f.path);
    const parts = f.path.split('/');
    const parent = parts.length >= 2 ? parts[parts.length - 2] : undefined;
    if (!folderExpr && parent && !(parts.length === 2 && parent === root)) unmatched.add(parent);
    const label = mergeLabel(fromCsv, folderExpr ? { expression: folderExpr } : undefined);
    if (hasContent(label)) {
      f.label = label;
      f.labelFrom = [csvPath, folderExpr ? 'folder' : undefined].filter(Boolean).join(' + ');
      if (label!.expression) perClass[label!.expression]++;
      if (label!.valence !== undefined || label!.arousal !== undefined) withVA++;
    } else unlabelled.push(f.path);
  }

  return {
    images,
    videos,
    others,
    preview: {
      images: images.length,
      videos: videos.length,
      perClass,
      withVA,
      unlabelled,
      unmatchedFolders: [...unmatched].sort(),
      nonMedia: others.map((o) => o.path),
      skipped,
      labelFiles,
    },
  };
}
