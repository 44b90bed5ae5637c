import { useMemo } from 'react';
import type { BatchRow } from '../../batch/batchTypes';
import { EXPRESSIONS } from '../../core/classes/expressionClasses';
import { CLASS_COLOURS, className } from './util';

const W = 640;
const H = 140;
const M = 28;

function Plot({ frames, duration }: { frames: BatchRow[]; duration: number }) {
  const x = (t: number) => M + (t / (duration || 1)) * (W - M - 8);
  const yP = (p: number) => 8 + (1 - p) * (H - 24);
  const yVA = (v: number) => 8 + ((1 - v) / 2) * (H - 24);
  const withProbs = frames.filter((f) => f.fused ?? f.p2d);
  const segs = (get: (r: BatchRow) => number | undefined, y: (v: number) => number) => {
    // Break the line where a frame has no value (no face), rather than bridging the gap.
    const out: string[] = [];
    let cur: string[] = [];
    for (const f of frames) {
      const v = get(f);
      if (v === undefined) {
        if (cur.length) out.push(cur.join(' '));
        cur = [];
      } else cur.push(`${x(f.video!.time).toFixed(1)},${y(v).toFixed(1)}`);
    }
    if (cur.length) out.push(cur.join(' '));
    return out;
  };
  return (
    <>
      <svg viewBox={`0 0 ${W} ${H}`} className="timeline-plot" role="img" aria-label="class probabilities over time">
        <rect x={M} y={8} width={W - M - 8} height={H - 24} className="plot-bg" />
        <text x={4} y={14} className="axis-label">1</text>
        <text x={4} y={H - 16} className="axis-label">0</text>
        {EXPRESSIONS.map((_, k) =>
          segs((f) => (f.fused ?? f.p2d)?.[k], yP).map((pts, i) => (
            <polyline key={`${k}-${i}`} points={pts} fill="none" stroke={CLASS_COLOURS[k]} strokeWidth={1.5} />
          )),
        )}
        {frames
          .filter((f) => f.status !== 'ok')
          .map((f) => (
            <rect key={f.id} x={x(f.video!.time) - 1} y={8} width={2} height={H - 24} className="gap-mark">
              <title>{f.reason}</title>
            </rect>
          ))}
        <text x={W - 8} y={H - 4} textAnchor="end" className="axis-label">{duration.toFixed(1)} s</text>
      </svg>
      <svg viewBox={`0 0 ${W} ${H}`} className="timeline-plot" role="img" aria-label="valence and arousal over time">
        <rect x={M} y={8} width={W - M - 8} height={H - 24} className="plot-bg" />
        <line x1={M} x2={W - 8} y1={yVA(0)} y2={yVA(0)} className="axis" />
        <text x={4} y={14} className="axis-label">+1</text>
        <text x={4} y={H - 16} className="axis-label">−1</text>
        {segs((f) => f.valence, yVA).map((pts, i) => (
          <polyline key={`v${i}`} points={pts} fill="none" stroke="#5cc8ff" strokeWidth={2} />
        ))}
        {segs((f) => f.arousal, yVA).map((pts, i) => (
          <polyline key={`a${i}`} points={pts} fill="none" stroke="#ffb454" strokeWidth={2} />
        ))}
      </svg>
      <p className="muted small">
        {withProbs.length} of {frames.length} sampled frames with a face.{' '}
        {EXPRESSIONS.map((e, k) => (
          <span key={e} style={{ color: CLASS_COLOURS[k], marginRight: 8 }}>
            ■ {className(k)}
          </span>
        ))}
        <span style={{ color: '#5cc8ff' }}>— valence</span> <span style={{ color: '#ffb454' }}>— arousal</span>
      </p>
    </>
  );
}

/** One timeline per video: class probabilities (fused, else 2D) and valence/arousal per sampled frame. */
export function VideoTimelines({ rows }: { rows: BatchRow[] }) {
  const videos = useMemo(() => {
    const m = new Map<string, BatchRow[]>();
    for (const r of rows) if (r.video) (m.get(r.video.path) ?? m.set(r.video.path, []).get(r.video.path)!).push(r);
    for (const list of m.values()) list.sort((a, b) => a.video!.time - b.video!.time);
    return [...m.entries()];
  }, [rows]);
  if (videos.length === 0) return null;
  return (
    <section className="batch-panel" aria-label="video timelines">
      <h3>Video timelines</h3>
      {videos.map(([path, frames]) => (
        <div key={path} className="timeline" data-testid="timeline" data-video={path} data-points={frames.length}>
          <h4>{path}</h4>
          <Plot frames={frames} duration={Math.max(...frames.map((f) => f.video!.time)) || 1} />
        </div>
      ))}
    </section>
  );
}
