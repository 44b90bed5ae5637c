/**
 * Ground-truth labels for batch runs, from the formats researchers already have:
 *   (a) the parent folder name (happy/, Happiness/, anger/ ...), matched with synonyms;
 *   (b) a FER+ label.csv (10 vote counts → majority label + vote distribution);
 *   (c) a generic CSV `file,label[,valence,arousal]`;
 *   (d) AffectNet-style columns `exp,val,aro` (exp as AffectNet class index 0..7).
 * Unknown names are reported, never guessed.
 */
import Papa from 'papaparse';
import { EXPRESSIONS, FERPLUS_ORDER, expressionFromName, type Expression } from '../classes/expressionClasses';

export interface ItemLabel {
  expression?: Expression;
  /** Vote distribution in AffectNet order (FER+), sums to 1. */
  distribution?: number[];
  /** -1..1 */
  valence?: number;
  arousal?: number;
}

export interface LabelTable {
  source: 'folder' | 'ferplus-csv' | 'generic-csv' | 'affectnet-csv';
  /** Keyed by file name (base name, lower-case). */
  labels: Map<string, ItemLabel>;
  /** Rows or folders that could not be understood, with why. */
  problems: string[];
}

export const labelKey = (fileName: string): string => (fileName.split(/[\\/]/).pop() ?? fileName).toLowerCase();

/** Label from the parent folder of a relative path like `happy/img1.png`; `undefined` if it is not a class name. */
export function labelFromFolder(relativePath: string): Expression | undefined {
  const parts = relativePath.split(/[\\/]/).filter(Boolean);
  return parts.length >= 2 ? expressionFromName(parts[parts.length - 2]) : undefined;
}

function parseRows(text: string, header: boolean): string[][] | Record<string, string>[] {
  const res = Papa.parse<string[] | Record<string, string>>(text.trim(), { header, skipEmptyLines: true, transformHeader: (h) => h.trim().toLowerCase() });
  return res.data as string[][] | Record<string, string>[];
}

/** FER+ rows: `file.png,"(x, y, w, h)",v0..v9` (neutral … contempt, unknown, not-a-face); no header. */
export function parseFerPlusCsv(text: string): LabelTable {
  const labels = new Map<string, ItemLabel>();
  const problems: string[] = [];
  (parseRows(text, false) as string[][]).forEach((row, i) => {
    if (row.length < 12) return void problems.push(`row ${i + 1}: expected 12 columns, found ${row.length}`);
    const votes = row.slice(2, 12).map(Number);
    if (votes.some((v) => !Number.isFinite(v) || v < 0)) return void problems.push(`row ${i + 1}: votes are not non-negative numbers`);
    const maxVotes = Math.max(...votes);
    const majority = votes.indexOf(maxVotes);
    const emotionVotes = votes.slice(0, 8);
    const total = emotionVotes.reduce((a, b) => a + b, 0);
    // Standard protocol: drop items whose majority is unknown or not-a-face.
    if (majority >= 8 || total === 0) return void problems.push(`${row[0]}: majority is unknown / not-a-face (excluded)`);
    const distribution = EXPRESSIONS.map((cls) => emotionVotes[FERPLUS_ORDER.indexOf(cls)] / total);
    labels.set(labelKey(row[0]), { expression: FERPLUS_ORDER[majority], distribution });
  });
  return { source: 'ferplus-csv', labels, problems };
}

function toVA(raw: string | undefined): number | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const v = Number(raw);
  if (!Number.isFinite(v)) return undefined;
  // Some datasets use -10..10 (AFEW-VA); bring them to -1..1.
  return Math.abs(v) > 1 ? v / 10 : v;
}

/** Generic `file,label[,valence,arousal]` or AffectNet `file/subDirectory_filePath,exp,val,aro`; header required. */
export function parseLabelCsv(text: string): LabelTable {
  const rows = parseRows(text, true) as Record<string, string>[];
  const labels = new Map<string, ItemLabel>();
  const problems: string[] = [];
  if (rows.length === 0) return { source: 'generic-csv', labels, problems: ['the CSV has no rows'] };
  const cols = Object.keys(rows[0]);
  const fileCol = cols.find((c) => ['file', 'filename', 'image', 'path', 'subdirectory_filepath', 'name'].includes(c));
  const affectnet = cols.includes('exp');
  const labelCol = affectnet ? 'exp' : cols.find((c) => ['label', 'expression', 'emotion', 'class'].includes(c));
  const valCol = cols.find((c) => ['valence', 'val'].includes(c));
  const aroCol = cols.find((c) => ['arousal', 'aro'].includes(c));
  if (!fileCol) return { source: 'generic-csv', labels, problems: [`no file column (looked for file, filename, image, path); columns are: ${cols.join(', ')}`] };
  rows.forEach((row, i) => {
    const file = row[fileCol]?.trim();
    if (!file) return void problems.push(`row ${i + 2}: empty file name`);
    const item: ItemLabel = { valence: valCol ? toVA(row[valCol]) : undefined, arousal: aroCol ? toVA(row[aroCol]) : undefined };
    const raw = labelCol ? row[labelCol]?.trim() : undefined;
    if (raw) {
      if (affectnet) {
        const idx = Number(raw);
        if (Number.isInteger(idx) && idx >= 0 && idx < EXPRESSIONS.length) item.expression = EXPRESSIONS[idx];
        else problems.push(`${file}: AffectNet class ${raw} is not one of the 8 (0..7)`);
      } else {
        item.expression = expressionFromName(raw) ?? (/^\d+$/.test(raw) && Number(raw) < 8 ? EXPRESSIONS[Number(raw)] : undefined);
        if (!item.expression) problems.push(`${file}: unknown label "${raw}"`);
      }
    }
    labels.set(labelKey(file), item);
  });
  return { source: affectnet ? 'affectnet-csv' : 'generic-csv', labels, problems };
}

/** Decide the CSV flavour from its first line: FER+ has no header and a quoted box in column 2. */
export function parseAnyLabelCsv(text: string): LabelTable {
  const first = text.trimStart().split(/\r?\n/, 1)[0] ?? '';
  return /^[^,]+,"\(\s*\d+/.test(first) ? parseFerPlusCsv(text) : parseLabelCsv(text);
}

/** Labels from folder names for a list of relative paths; unknown folder names are listed once each. */
export function labelsFromFolders(paths: readonly string[]): LabelTable {
  const labels = new Map<string, ItemLabel>();
  const unknown = new Set<string>();
  for (const p of paths) {
    const expression = labelFromFolder(p);
    if (expression) labels.set(p.toLowerCase(), { expression });
    else {
      const parts = p.split(/[\\/]/).filter(Boolean);
      if (parts.length >= 2) unknown.add(parts[parts.length - 2]);
    }
  }
  return { source: 'folder', labels, problems: [...unknown].map((f) => `folder "${f}" is not an expression name`) };
}
