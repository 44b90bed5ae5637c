import type { ValenceArousal } from '../core/types';

interface Props {
  va?: ValenceArousal;
  trail: { valence: number; arousal: number }[];
  size?: number;
}

/** Russell's circumplex: valence on x, arousal on y, both -1..1; a short fading trail. */
export function VACircumplex({ va, trail, size = 220 }: Props) {
  const r = size / 2 - 14;
  const c = size / 2;
  const pt = (v: number, a: number) => [c + v * r, c - a * r] as const;
  const sourceLabel = va?.source === 'derived' ? 'derived from class probabilities' : va?.source === 'fused' ? 'fused 2D + 3D VA heads' : 'VA head';
  return (
    <section className="va" data-testid="va-panel" aria-label="valence and arousal">
      <h3>
        Valence / arousal {va && <span className={`tag tag--${va.source}`} data-testid="va-source">{va.source === 'derived' ? 'derived' : va.source}</span>}
      </h3>
      <svg width={size} height={size} viewBox={`0 0 ${size} ${size}`} role="img" aria-label="valence arousal circumplex">
        <circle cx={c} cy={c} r={r} className="disc" />
        <line x1={c - r} y1={c} x2={c + r} y2={c} className="axis" />
        <line x1={c} y1={c - r} x2={c} y2={c + r} className="axis" />
        <text x={c + r * 0.55} y={c - r * 0.6} className="quadrant">excited</text>
        <text x={c - r * 0.95} y={c - r * 0.6} className="quadrant">distressed</text>
        <text x={c - r * 0.95} y={c + r * 0.7} className="quadrant">depressed</text>
        <text x={c + r * 0.6} y={c + r * 0.7} className="quadrant">relaxed</text>
        <text x={c + r - 4} y={c - 4} className="axis-label" textAnchor="end">valence +</text>
        <text x={c + 4} y={c - r + 12} className="axis-label">arousal +</text>
        {trail.map((t, i) => {
          const [x, y] = pt(t.valence, t.arousal);
          return <circle key={i} cx={x} cy={y} r={3} className="trail" opacity={((i + 1) / trail.length) * 0.6} />;
        })}
        {va && <circle cx={pt(va.valence, va.arousal)[0]} cy={pt(va.valence, va.arousal)[1]} r={7} className="dot" data-testid="va-dot" />}
      </svg>
      <p className="muted small" data-testid="va-values">
        {va ? `valence ${va.valence.toFixed(2)}, arousal ${va.arousal.toFixed(2)} — ${sourceLabel}` : 'no reading'}
      </p>
    </section>
  );
}
