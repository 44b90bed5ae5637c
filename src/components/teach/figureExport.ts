/**
 * "Export figure": the current teaching view as one PNG for slides, drawn with the 2D canvas API
 * (no library): frame with landmarks, the 2D crop, the parametric mesh (read back from its WebGL
 * canvas), the 2D / 3D / fused probabilities, valence–arousal and a caption.
 */
import { EXPRESSIONS, EXPRESSION_LABELS } from '../../core/classes/expressionClasses';
import { AFFECTNET_VA_CENTROIDS } from '../../core/va/derivedVA';
import type { ValenceArousal } from '../../core/types';
import type { CropImage } from '../../core/pipelineTypes';
import { PAPER_CITATION } from './paper';
import { drawCrop, drawLandmarkMesh } from '../draw2d';

export interface FigureInput {
  title: string;
  subtitle: string;
  frame?: { image: CanvasImageSource & { width: number; height: number }; landmarks?: Float32Array; triangles?: Uint32Array };
  crop?: CropImage;
  mesh?: HTMLCanvasElement | null;
  bars: { title: string; probs?: Float32Array; emphasis?: boolean }[];
  va?: ValenceArousal;
  notes: string[];
}

const W = 1920;
const H = 1080;
const INK = '#111318';
const MUTED = '#5b6270';
const ACCENT = '#1f7fbf';
const TOP = '#d9822b';

function fitRect(sw: number, sh: number, x: number, y: number, w: number, h: number) {
  const s = Math.min(w / sw, h / sh);
  return { x: x + (w - sw * s) / 2, y: y + (h - sh * s) / 2, w: sw * s, h: sh * s, s };
}

function drawBars(ctx: CanvasRenderingContext2D, x: number, y: number, w: number, title: string, probs: Float32Array | undefined, emphasis: boolean) {
  ctx.fillStyle = INK;
  ctx.font = `${emphasis ? 'bold ' : ''}28px system-ui, sans-serif`;
  ctx.fillText(title, x, y);
  const top = probs ? probs.indexOf(Math.max(...probs)) : -1;
  EXPRESSIONS.forEach((cls, i) => {
    const yy = y + 14 + i * 30;
    ctx.font = `${i === top ? 'bold ' : ''}22px system-ui, sans-serif`;
    ctx.fillStyle = i === top ? TOP : INK;
    ctx.fillText(EXPRESSION_LABELS[cls], x, yy + 20);
    const bx = x + 120, bw = w - 200;
    ctx.fillStyle = '#e4e7ee';
    ctx.fillRect(bx, yy + 6, bw, 18);
    if (probs) {
      ctx.fillStyle = i === top ? TOP : ACCENT;
      ctx.fillRect(bx, yy + 6, bw * probs[i], 18);
      ctx.fillStyle = MUTED;
      ctx.fillText(`${(probs[i] * 100).toFixed(0)}%`, bx + bw + 10, yy + 22);
    }
  });
}

function drawVA(ctx: CanvasRenderingContext2D, cx: number, cy: number, r: number, va?: ValenceArousal) {
  ctx.strokeStyle = '#9aa3b2';
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.arc(cx, cy, r, 0, Math.PI * 2);
  ctx.stroke();
  ctx.beginPath();
  ctx.moveTo(cx - r, cy);
  ctx.lineTo(cx + r, cy);
  ctx.moveTo(cx, cy - r);
  ctx.lineTo(cx, cy + r);
  ctx.stroke();
  ctx.fillStyle = MUTED;
  ctx.font = '18px system-ui, sans-serif';
  ctx.fillText('valence +', cx + r - 80, cy - 8);
  ctx.fillText('arousal +', cx + 8, cy - r + 20);
  // Class centroids, for orientation.
  ctx.font = '15px system-ui, sans-serif';
  EXPRESSIONS.forEach((cls, i) => {
    const [v, a] = AFFECTNET_VA_CENTROIDS[i];
    ctx.fillStyle = '#b8bfcc';
    ctx.beginPath();
    ctx.arc(cx + v * r, cy - a * r, 4, 0, Math.PI * 2);
    ctx.fill();
    ctx.fillText(EXPRESSION_LABELS[cls], cx + v * r + 6, cy - a * r - 6);
  });
  if (va) {
    ctx.fillStyle = TOP;
    ctx.strokeStyle = INK;
    ctx.beginPath();
    ctx.arc(cx + va.valence * r, cy - va.arousal * r, 11, 0, Math.PI * 2);
    ctx.fill();
    ctx.stroke();
    ctx.fillStyle = INK;
    ctx.font = '20px system-ui, sans-serif';
    ctx.fillText(`V ${va.valence.toFixed(2)}, A ${va.arousal.toFixed(2)} (${va.source})`, cx - r, cy + r + 32);
  }
}

export function composeFigure(f: FigureInput): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = W;
  c.height = H;
  const ctx = c.getContext('2d')!;
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, W, H);
  ctx.fillStyle = INK;
  ctx.font = 'bold 44px system-ui, sans-serif';
  ctx.fillText(f.title, 48, 70);
  ctx.fillStyle = MUTED;
  ctx.font = '24px system-ui, sans-serif';
  ctx.fillText(f.subtitle, 48, 108);

  // Column 1: frame (+ landmarks) and the crop.
  const col1 = { x: 48, y: 140, w: 560, h: 430 };
  if (f.frame) {
    const { image, landmarks, triangles } = f.frame;
    const r = fitRect(image.width, image.height, col1.x, col1.y, col1.w, col1.h);
    ctx.drawImage(image, r.x, r.y, r.w, r.h);
    if (landmarks && triangles) drawLandmarkMesh(ctx, landmarks, triangles, r, { color: 'rgba(40, 170, 230, 0.55)', width: 1 });
    ctx.fillStyle = MUTED;
    ctx.font = '20px system-ui, sans-serif';
    ctx.fillText('input frame + 478 landmarks', col1.x, col1.y + col1.h + 28);
  } else {
    ctx.fillStyle = MUTED;
    ctx.font = '22px system-ui, sans-serif';
    ctx.fillText('(no frame: parameters set by hand)', col1.x, col1.y + 40);
  }
  if (f.crop) {
    const tmp = drawCrop(document.createElement('canvas'), f.crop);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(tmp, col1.x, 640, 240, 240);
    ctx.imageSmoothingEnabled = true;
    ctx.fillStyle = MUTED;
    ctx.font = '20px system-ui, sans-serif';
    ctx.fillText(`what the 2D network sees (${f.crop.width}×${f.crop.height})`, col1.x, 910);
  }

  // Column 2: the parametric mesh.
  const col2 = { x: 640, y: 140, w: 560, h: 480 };
  if (f.mesh && f.mesh.width > 0) {
    const r = fitRect(f.mesh.width, f.mesh.height, col2.x, col2.y, col2.w, col2.h);
    ctx.drawImage(f.mesh, r.x, r.y, r.w, r.h);
    ctx.fillStyle = MUTED;
    ctx.font = '20px system-ui, sans-serif';
    ctx.fillText('3D face from the parameters', col2.x, col2.y + col2.h + 28);
  }

  // Column 3: probabilities and VA.
  const col3x = 1240;
  let y = 150;
  for (const b of f.bars.slice(0, 3)) {
    drawBars(ctx, col3x, y, 640, b.title, b.probs, !!b.emphasis);
    if (!b.probs) {
      ctx.fillStyle = MUTED;
      ctx.font = '20px system-ui, sans-serif';
      ctx.fillText('(not available)', col3x + 260, y);
    }
    y += 300;
  }
  drawVA(ctx, col2.x + col2.w / 2, 790, 125, f.va);

  // Caption.
  ctx.fillStyle = INK;
  ctx.font = '22px system-ui, sans-serif';
  f.notes.slice(0, 2).forEach((n, i) => ctx.fillText(n, 48, 990 + i * 30, 1150));
  ctx.fillStyle = MUTED;
  ctx.font = '18px system-ui, sans-serif';
  ctx.fillText(`ig3d-web · ${PAPER_CITATION}`, 48, H - 20);
  return c;
}

/** Save the canvas as a PNG download (blob URL; nothing leaves the browser). */
export async function downloadCanvasPng(c: HTMLCanvasElement, filename: string): Promise<void> {
  const blob = await new Promise<Blob | null>((resolve) => c.toBlob(resolve, 'image/png'));
  if (!blob) throw new Error('the browser could not encode the PNG');
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
