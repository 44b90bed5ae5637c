import { EXPRESSION_LABELS, EXPRESSIONS } from '../../core/classes/expressionClasses';

/**
 * Save text as a file through a temporary object URL (nothing leaves the browser). Accepts the
 * text in chunks: the Blob keeps the parts, so a large export is never one giant string.
 */
export function downloadText(name: string, text: string | Iterable<string>, type: string): void {
  const url = URL.createObjectURL(new Blob(typeof text === 'string' ? [text] : Array.from(text), { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export const pct = (x: number | undefined, digits = 1) => (x === undefined || Number.isNaN(x) ? '—' : `${(x * 100).toFixed(digits)}%`);
export const fixed = (x: number | undefined, digits = 3) => (x === undefined || Number.isNaN(x) ? '—' : x.toFixed(digits));
export const className = (i: number) => EXPRESSION_LABELS[EXPRESSIONS[i]];

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '—';
  if (s < 60) return `${Math.ceil(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** Distinct, colour-blind-friendlier palette for the 8 classes (AffectNet order). */
export const CLASS_COLOURS = ['#9aa3b2', '#ffb454', '#5c8dff', '#5cc8ff', '#b87cff', '#7fd36b', '#ff6b6b', '#e07fb5'];
