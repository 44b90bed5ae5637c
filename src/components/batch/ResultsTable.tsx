import { useVirtualizer } from '@tanstack/react-virtual';
import { useDeferredValue, useMemo, useRef, useState } from 'react';
import type { BatchRow } from '../../batch/batchTypes';
import { branchProbs, isWrong, labelIndex, predictedClass, readWhole, type Branch } from '../../batch/batchMetrics';
import { EXPRESSIONS } from '../../core/classes/expressionClasses';
import { Thumb } from './Thumb';
import { className, fixed } from './util';

export type RowFilter = 'all' | 'wrong' | 'no-face' | 'errors' | 'faces';
type SortKey = 'id' | 'path' | 'status' | Branch | 'valence' | 'arousal' | 'label';

const ROW_HEIGHT = 46;

function sortValue(r: BatchRow, key: SortKey): number | string {
  switch (key) {
    case 'id':
      return r.id;
    case 'path':
      return r.path;
    case 'status':
      return `${r.status}:${r.detection}`;
    case 'label':
      return labelIndex(r) ?? 99;
    case 'valence':
      return r.valence ?? -Infinity;
    case 'arousal':
      return r.arousal ?? -Infinity;
    default: {
      const p = branchProbs(r, key);
      return p ? Math.max(...p) : -Infinity;
    }
  }
}

function matches(r: BatchRow, f: RowFilter, text: string): boolean {
  if (text && !r.path.toLowerCase().includes(text)) return false;
  switch (f) {
    case 'wrong':
      return isWrong(r);
    case 'no-face':
      return r.status === 'no-face';
    case 'errors':
      return r.status === 'error';
    case 'faces':
      return r.status === 'ok';
    default:
      return true;
  }
}

function Pred({ row, branch }: { row: BatchRow; branch: Branch }) {
  const p = branchProbs(row, branch);
  const k = predictedClass(row, branch);
  if (!p || k === undefined) return <span className="muted">—</span>;
  const t = labelIndex(row);
  const cls = t === undefined ? '' : t === k ? 'pred--right' : 'pred--wrong';
  return (
    <span className={cls} data-pred={EXPRESSIONS[k]}>
      {className(k)} <span className="muted">{(p[k] * 100).toFixed(0)}%</span>
    </span>
  );
}

function Found({ row }: { row: BatchRow }) {
  if (row.status === 'error') return <span className="status-error" title={row.reason}>error</span>;
  if (readWhole(row))
    return (
      <span className="status-noface" title={row.notes.join('; ')} data-read-whole="true">
        no face · read whole
      </span>
    );
  if (row.status === 'no-face') return <span className="status-noface">no face</span>;
  return (
    <span>
      {row.detection}
      {row.faceCount > 1 && <span className="tag" title={row.notes.join('; ')}>{row.faceCount} faces</span>}
    </span>
  );
}

export function ResultsTable({ rows, onOpen }: { rows: BatchRow[]; onOpen: (id: number) => void }) {
  const [filter, setFilter] = useState<RowFilter>('all');
  const [text, setText] = useState('');
  const [sort, setSort] = useState<{ key: SortKey; dir: 1 | -1 }>({ key: 'id', dir: 1 });
  const deferredRows = useDeferredValue(rows);
  const view = useMemo(() => {
    const t = text.trim().toLowerCase();
    const out = deferredRows.filter((r) => matches(r, filter, t));
    const { key, dir } = sort;
    out.sort((a, b) => {
      const va = sortValue(a, key);
      const vb = sortValue(b, key);
      const c = typeof va === 'string' ? va.localeCompare(vb as string, undefined, { numeric: true }) : (va as number) - (vb as number);
      return c * dir || a.id - b.id;
    });
    return out;
  }, [deferredRows, filter, text, sort]);

  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: view.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 6,
    getItemKey: (i) => view[i].id,
  });

  const header = (key: SortKey, label: string) => (
    <button
      className={`th ${sort.key === key ? 'th--sorted' : ''}`}
      data-testid={`sort-${key}`}
      onClick={() => setSort((s) => ({ key, dir: s.key === key ? (-s.dir as 1 | -1) : key === 'id' || key === 'path' ? 1 : -1 }))}
    >
      {label}
      {sort.key === key ? (sort.dir === 1 ? ' ▲' : ' ▼') : ''}
    </button>
  );

  return (
    <section className="batch-panel" aria-label="results">
      <div className="batch-toolbar">
        <h3>Results</h3>
        <label>
          Show{' '}
          <select value={filter} onChange={(e) => setFilter(e.target.value as RowFilter)} data-testid="results-filter">
            <option value="all">all rows</option>
            <option value="wrong">wrong predictions only</option>
            <option value="no-face">no face</option>
            <option value="errors">errors</option>
            <option value="faces">faces found</option>
          </select>
        </label>
        <input type="search" placeholder="filter by file name" value={text} onChange={(e) => setText(e.target.value)} aria-label="filter by file name" />
        <span className="muted small" data-testid="results-count" data-count={view.length} data-total={rows.length}>
          {view.length} of {rows.length} rows
        </span>
      </div>
      <div className="results-grid results-head" role="row">
        {header('id', '#')}
        <span />
        {header('path', 'File')}
        {header('status', 'Found')}
        {header('2d', '2D')}
        {header('3d', '3D')}
        {header('fused', 'Fused')}
        {header('valence', 'V')}
        {header('arousal', 'A')}
        {header('label', 'Label')}
      </div>
      <div ref={scrollRef} className="results-scroll" data-testid="results-table" data-rows={view.length}>
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((vi) => {
            const r = view[vi.index];
            return (
              <div
                key={vi.key}
                className={`results-grid results-row results-row--${r.status}`}
                data-testid="results-row"
                data-id={r.id}
                data-status={r.status}
                data-path={r.path}
                role="row"
                tabIndex={0}
                onClick={() => onOpen(r.id)}
                onKeyDown={(e) => e.key === 'Enter' && onOpen(r.id)}
                style={{ position: 'absolute', top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${vi.start}px)` }}
              >
                <span className="muted">{r.id + 1}</span>
                <Thumb id={r.id} />
                <span className="cell-path" title={r.path}>
                  {r.path}
                  {r.reason && (
                    <span className="row-reason" data-testid="row-reason">
                      {r.reason}
                    </span>
                  )}
                </span>
                <Found row={r} />
                <Pred row={r} branch="2d" />
                <Pred row={r} branch="3d" />
                <Pred row={r} branch="fused" />
                <span>{fixed(r.valence, 2)}</span>
                <span>{fixed(r.arousal, 2)}</span>
                <span>{r.label?.expression ? className(EXPRESSIONS.indexOf(r.label.expression)) : r.label?.valence !== undefined ? 'VA' : ''}</span>
              </div>
            );
          })}
        </div>
      </div>
    </section>
  );
}
