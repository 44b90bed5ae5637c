import { useMemo, useState } from 'react';
import { fitSamples } from '../../batch/batchMetrics';
import type { BatchRow } from '../../batch/batchTypes';
import { manifestWithWeight, reportForWeight, searchFusionWeight, seededSplit, type WeightSearch } from '../../batch/fusionFit';
import type { Manifest } from '../../core/manifest/schema';
import { defaultFusion } from '../../core/fusion/fusionPolicy';
import { downloadText, pct } from './util';

interface FitResult {
  search: WeightSearch;
  nFit: number;
  nHeld: number;
  current: number;
  held: { name: string; key: string; weight: number; accuracy: number; macroF1: number }[];
}

/** Fit the late-fusion weight on the user's labelled rows and download an updated manifest. */
export function FusionFitPanel({ rows, manifest, has3d }: { rows: BatchRow[]; manifest?: Manifest; has3d: boolean }) {
  const samples = useMemo(() => fitSamples(rows), [rows]);
  const [fraction, setFraction] = useState(0.5);
  const [seed, setSeed] = useState(42);
  const [result, setResult] = useState<FitResult>();
  const [error, setError] = useState<string>();
  const current = manifest ? defaultFusion(manifest).weight2d : 1;

  if (!has3d) {
    return (
      <section className="batch-panel" data-testid="fusion-fit" data-available="false">
        <h3>Fit fusion on your data</h3>
        <p data-testid="fusion-fit-unavailable">
          Late fusion needs a 3D head: the loaded pack ({manifest?.name ?? 'none'}) has only the 2D expression model, so there is
          nothing to fuse and no weight to fit. Load a pack with a <code>head3d</code> model, run the batch again, and the fusion
          weight can be fitted here from the stored 2D and 3D logits.
        </p>
      </section>
    );
  }

  const fit = () => {
    setError(undefined);
    try {
      const { fit: fitPart, heldOut } = seededSplit(samples, fraction, seed);
      const search = searchFusionWeight(fitPart, { prefer: current });
      const eva = (name: string, key: string, weight: number) => {
        const r = reportForWeight(heldOut, weight);
        return { name, key, weight, accuracy: r.accuracy, macroF1: r.macroF1 };
      };
      setResult({
        search,
        nFit: fitPart.length,
        nHeld: heldOut.length,
        current,
        held: [
          eva('2D only', '2d', 1),
          eva('3D only', '3d', 0),
          eva(`fusion, pack weight w=${current}`, 'before', current),
          eva(`fusion, fitted weight w=${search.weight2d}`, 'after', search.weight2d),
        ],
      });
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <section className="batch-panel" data-testid="fusion-fit" data-available="true">
      <h3>Fit fusion on your data</h3>
      <p className="muted small">
        Ig3D fuses logits as ℓ = w·ℓ2D + (1−w)·ℓ3D with w chosen on a validation split. Here w is searched (steps of 0.05, best
        accuracy) on a seeded random part of your {samples.length} labelled faces and checked on the rest.
      </p>
      {samples.length < 2 ? (
        <p data-testid="fusion-fit-too-few">At least two labelled faces with both 2D and 3D outputs are needed (have {samples.length}).</p>
      ) : (
        <div className="batch-toolbar">
          <label>
            Fit on{' '}
            <input
              type="number"
              min={10}
              max={90}
              step={5}
              value={Math.round(fraction * 100)}
              onChange={(e) => setFraction(Math.min(0.9, Math.max(0.1, Number(e.target.value) / 100)))}
              data-testid="fusion-fit-fraction"
            />
            % of the faces
          </label>
          <label>
            seed <input type="number" value={seed} onChange={(e) => setSeed(Math.trunc(Number(e.target.value)) || 0)} data-testid="fusion-fit-seed" />
          </label>
          <button onClick={fit} data-testid="fusion-fit-run">
            Fit weight
          </button>
        </div>
      )}
      {error && <p className="status--alert">{error}</p>}
      {result && (
        <div data-testid="fusion-fit-result" data-weight={result.search.weight2d} data-nfit={result.nFit} data-nheld={result.nHeld}>
          <p>
            Best weight on the fit part ({result.nFit} faces): <strong>w = {result.search.weight2d}</strong> (accuracy{' '}
            {pct(result.search.accuracy, 2)}). Held-out part ({result.nHeld} faces):
          </p>
          <table className="metrics-table">
            <thead>
              <tr>
                <th />
                <th>Accuracy</th>
                <th>Macro-F1</th>
              </tr>
            </thead>
            <tbody>
              {result.held.map((h) => (
                <tr key={h.key} data-testid={`fusion-held-${h.key}`} data-accuracy={h.accuracy} data-macrof1={h.macroF1}>
                  <th>{h.name}</th>
                  <td>{pct(h.accuracy, 2)}</td>
                  <td>{pct(h.macroF1, 2)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <svg className="fit-curve" viewBox="0 0 200 60" width={300} height={90} aria-label="accuracy on the fit part against w">
            <polyline
              fill="none"
              stroke="var(--accent)"
              points={result.search.curve.map((c) => `${c.weight2d * 200},${60 - c.accuracy * 60}`).join(' ')}
            />
            <line x1={result.search.weight2d * 200} x2={result.search.weight2d * 200} y1={0} y2={60} stroke="var(--top)" />
          </svg>
          <div>
            <button
              data-testid="fusion-fit-download"
              disabled={!manifest}
              onClick={() => manifest && downloadText('manifest.json', `${JSON.stringify(manifestWithWeight(manifest, result.search.weight2d), null, 2)}\n`, 'application/json')}
            >
              Download manifest.json with w = {result.search.weight2d}
            </button>
            <span className="muted small"> Replace the pack's manifest.json with it to use the new weight.</span>
          </div>
        </div>
      )}
    </section>
  );
}
