import { useEffect, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { entriesFromDrop, entriesFromFileList } from '../packs/folderPack';
import { BUILTIN_PACK_ID, usePackStore } from '../stores/packStore';
import { usePipelineStore } from '../stores/pipelineStore';

const SYNTHETIC = 'synthetic test pack — not a trained model';

/**
 * Choose the model pack: the built-in one, one loaded before, or a new folder (drop it here or
 * pick it). Everything stays in this browser.
 */
export function PackPanel() {
  const { saved, busy, error, notice, refresh, loadFolder, select, remove } = usePackStore(useShallow((s) => ({ saved: s.saved, busy: s.busy, error: s.error, notice: s.notice, refresh: s.refresh, loadFolder: s.loadFolder, select: s.select, remove: s.remove })));
  const pack = usePipelineStore((s) => s.pack);
  const pipelineStatus = usePipelineStore((s) => s.status);
  const inputRef = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const active = pack.kind === 'builtin' ? BUILTIN_PACK_ID : pack.id;
  const disabled = !!busy || pipelineStatus === 'loading';

  useEffect(() => {
    void refresh();
    // React has no typed prop for it; a folder picker needs the attribute.
    inputRef.current?.setAttribute('webkitdirectory', '');
  }, [refresh]);

  return (
    <section
      className={`pack-panel ${dragging ? 'pack-panel--drop' : ''}`}
      aria-label="model pack"
      data-testid="pack-panel"
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => {
        e.preventDefault();
        setDragging(false);
        if (!disabled) void entriesFromDrop(e.dataTransfer).then(loadFolder);
      }}
    >
      <label>
        Model pack{' '}
        <select aria-label="model pack" data-testid="pack-select" value={active} disabled={disabled} onChange={(e) => void select(e.target.value)}>
          <option value={BUILTIN_PACK_ID}>Built-in default pack</option>
          {saved.map((p) => (
            <option key={p.id} value={p.id} data-synthetic={p.synthetic}>
              {p.name}
              {p.synthetic && !p.name.includes(SYNTHETIC) ? ` (${SYNTHETIC})` : ''}
            </option>
          ))}
        </select>
      </label>
      <label className="pack-pick">
        <span className="button-like">Load pack folder…</span>
        <input
          ref={inputRef}
          type="file"
          multiple
          data-testid="pack-input"
          disabled={disabled}
          onChange={(e) => {
            const files = e.target.files;
            if (files?.length) void loadFolder(entriesFromFileList(files));
            e.target.value = '';
          }}
        />
      </label>
      {active !== BUILTIN_PACK_ID && (
        <button type="button" disabled={disabled} onClick={() => void select(BUILTIN_PACK_ID).then(() => remove(active))} title="Switch to the built-in pack and forget this one">
          Forget pack
        </button>
      )}
      <span className="muted small">or drop a pack folder here (manifest.json, models, flame.bin, landmarker). Nothing is uploaded.</span>
      {busy && (
        <p className="small" role="status" data-testid="pack-busy">
          {busy}
        </p>
      )}
      {error && (
        <div className="banner banner--error" role="alert" data-testid="pack-error">
          {error}
        </div>
      )}
      {notice && <p className="muted small" data-testid="pack-notice">{notice}</p>}
    </section>
  );
}
