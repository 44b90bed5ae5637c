import type { BatchRow } from '../../batch/batchTypes';
import { featuresCsvChunks, jsonChunks, resultsCsvChunks } from '../../batch/exportRows';
import { usePipelineStore } from '../../stores/pipelineStore';
import { useBatchStore } from '../../stores/batchStore';
import { downloadText } from './util';

const byId = (rows: readonly BatchRow[]) => [...rows].sort((a, b) => a.id - b.id);

export function BatchExports({ rows }: { rows: BatchRow[] }) {
  const disabled = rows.length === 0;
  const meta = () => {
    const { manifest, ep } = usePipelineStore.getState();
    const { fusion, progress } = useBatchStore.getState();
    return {
      app: 'ig3d-web',
      exportedAt: new Date().toISOString(),
      pack: manifest?.name,
      ep,
      fusion,
      state: progress?.state,
      total: progress?.total,
    };
  };
  return (
    <div className="batch-toolbar" aria-label="exports">
      <strong>Export</strong>
      <button disabled={disabled} data-testid="export-csv" onClick={() => downloadText('ig3d-batch.csv', resultsCsvChunks(byId(rows)), 'text/csv')}>
        Results CSV
      </button>
      <button disabled={disabled} data-testid="export-json" onClick={() => downloadText('ig3d-batch.json', jsonChunks(byId(rows), meta()), 'application/json')}>
        JSON
      </button>
      <button
        disabled={disabled}
        data-testid="export-features"
        title="2D logits, 3D parameters and labels of every face, for training heads offline"
        onClick={() => downloadText('ig3d-batch.features.csv', featuresCsvChunks(byId(rows)), 'text/csv')}
      >
        Features CSV
      </button>
    </div>
  );
}
