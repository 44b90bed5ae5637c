/**
 * Page-side half of the offline mode: registers dist/sw.js (production builds only) and tracks
 * whether the app and its model pack are cached ("ready offline"). The worker never sends
 * anything anywhere; it only caches this site's own files.
 */
import { create } from 'zustand';

export type OfflineState = 'unsupported' | 'dev' | 'idle' | 'installing' | 'ready' | 'error';

interface OfflineStore {
  state: OfflineState;
  done: number;
  total: number;
  bytes: number;
  version?: string;
  error?: string;
  /** Whether this page itself was served by the worker (a reload after the first visit). */
  controlled: boolean;
}

export const useOfflineStore = create<OfflineStore>()(() => ({ state: 'idle', done: 0, total: 0, bytes: 0, controlled: false }));

interface SwMessage {
  source?: string;
  type?: string;
  done?: number;
  total?: number;
  bytes?: number;
  version?: string;
  error?: string;
  state?: string;
}

let started = false;

export function registerServiceWorker(): void {
  if (started) return;
  started = true;
  if (!('serviceWorker' in navigator) || !window.isSecureContext) {
    useOfflineStore.setState({ state: 'unsupported' });
    return;
  }
  if (!import.meta.env.PROD) {
    useOfflineStore.setState({ state: 'dev' });
    return;
  }
  const sw = navigator.serviceWorker;
  useOfflineStore.setState({ controlled: !!sw.controller });
  sw.addEventListener('message', (ev: MessageEvent<SwMessage>) => {
    const m = ev.data;
    if (m?.source !== 'ig3d-sw') return;
    const counts = { done: m.done ?? 0, total: m.total ?? 0, bytes: m.bytes ?? 0, version: m.version };
    if (m.type === 'progress' && useOfflineStore.getState().state !== 'ready') useOfflineStore.setState({ state: 'installing', ...counts });
    else if (m.type === 'error') useOfflineStore.setState({ state: 'error', error: m.error, ...counts });
    else if (m.type === 'installed' || m.type === 'ready') useOfflineStore.setState({ state: 'ready', ...counts });
  });
  sw.register('./sw.js', { scope: './' }).then(
    (reg) => {
      if (reg.active) useOfflineStore.setState({ state: 'ready' });
      else useOfflineStore.setState({ state: 'installing' });
      const installing = reg.installing;
      installing?.addEventListener('statechange', () => {
        if (installing.state === 'redundant' && !reg.active) useOfflineStore.setState((s) => ({ state: 'error', error: s.error ?? 'the offline copy could not be saved' }));
      });
      void sw.ready.then(() => useOfflineStore.setState({ state: 'ready' }));
    },
    // Offline, an update check can fail while the cached copy still serves this page: that is fine.
    (e: unknown) => useOfflineStore.setState(sw.controller ? { state: 'ready' } : { state: 'error', error: (e as Error).message }),
  );
}
