import { lazy, Suspense, useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { Credits } from '../components/Credits';
import { EpBadge } from '../components/EpBadge';
import { LiveView } from '../components/LiveView';
import { PackPanel } from '../components/PackPanel';
import { OfflineStatus } from '../components/teach/OfflineStatus';
import { registerServiceWorker } from '../sw/registerSW';
import { useAwaitingFirstPrediction } from '../components/useAwaitingFirstPrediction';
import { usePipelineStore } from '../stores/pipelineStore';
import { connectTeachStore } from '../stores/teachStore';

// The Batch and Teach tabs load on first use: the live view (the default) parses less script
// before its models can start (start-up, issue #16).
const BatchView = lazy(() => import('../components/batch/BatchView').then((m) => ({ default: m.BatchView })));
const TeachView = lazy(() => import('../components/teach/TeachView').then((m) => ({ default: m.TeachView })));

export function App() {
  const { status, error, manifest, load } = usePipelineStore(useShallow((s) => ({ status: s.status, error: s.error, manifest: s.manifest, load: s.load })));
  // Leaving Live unmounts LiveView, whose cleanup stops the live loop and the camera.
  const [tab, setTab] = useState<'live' | 'batch' | 'teach'>(() => (location.hash === '#batch' ? 'batch' : location.hash === '#teach' ? 'teach' : 'live'));
  const tabs = [
    { id: 'live', label: 'Live' },
    { id: 'batch', label: 'Batch' },
    { id: 'teach', label: 'Teach' },
  ] as const;
  // Before the pipeline loads, so the Teach tab's state follows every pack / EP change from the start.
  useEffect(() => connectTeachStore(), []);
  // main.tsx normally started the load already, before the first render.
  useEffect(() => {
    if (usePipelineStore.getState().status === 'idle') void load();
  }, [load]);
  // Offline copy (service worker): after the models are up and, when the camera was started
  // while they loaded, after the first prediction, so it never competes with either.
  const awaitingFirst = useAwaitingFirstPrediction();
  useEffect(() => {
    if (status === 'ready' && !awaitingFirst) registerServiceWorker();
  }, [status, awaitingFirst]);

  return (
    <div className="app">
      <header>
        <h1>
          ig3d-web <span className="muted small">3D-aware facial expression inference, in your browser</span>
        </h1>
        <OfflineStatus />
        <EpBadge />
      </header>
      <PackPanel />
      {status === 'error' && (
        <div className="banner banner--error" role="alert" data-testid="pipeline-error">
          {error}
          <button onClick={() => void load()}>Retry</button>
        </div>
      )}
      {manifest?.synthetic && (
        <div className="banner banner--warn" data-testid="synthetic-pack">
          Synthetic test pack — not a trained model. Its predictions are meaningless.
        </div>
      )}
      <nav className="app-tabs" role="tablist" aria-label="mode">
        {tabs.map((t) => (
          <button
            key={t.id}
            role="tab"
            aria-selected={tab === t.id}
            data-testid={`tab-${t.id}`}
            onClick={() => {
              setTab(t.id);
              history.replaceState(null, '', t.id === 'live' ? location.pathname + location.search : `#${t.id}`);
            }}
          >
            {t.label}
          </button>
        ))}
      </nav>
      <main>
        <Suspense fallback={<p className="muted">Loading…</p>}>{tab === 'live' ? <LiveView /> : tab === 'batch' ? <BatchView /> : <TeachView />}</Suspense>
      </main>
      <footer className="muted small">
        Pack: <span data-testid="pack-name">{manifest?.name ?? '—'}</span>. Everything runs on this device; no image
        or result leaves the browser. Method: Dong et al., “Ig3D: Integrating 3D Face Representations in Facial
        Expression Inference”, ECCV 2024 workshops.
        <Credits />
      </footer>
    </div>
  );
}
