import { useOfflineStore } from '../../sw/registerSW';

/** "Ready offline" badge: whether the app and its model pack are cached on this device. */
export function OfflineStatus() {
  const { state, done, total, bytes, error, controlled } = useOfflineStore();
  const text = {
    unsupported: 'Offline use not available in this browser',
    dev: 'Offline cache off (development server)',
    idle: 'Offline copy: waiting…',
    installing: `Saving for offline use… ${total ? `${done}/${total} files` : ''}`,
    ready: `Ready offline${bytes ? ` (${(bytes / 1e6).toFixed(0)} MB cached)` : ''}${controlled ? '' : ''}`,
    error: `Offline copy failed: ${error ?? 'unknown error'}`,
  }[state];
  return (
    <span className={`teach-offline teach-offline--${state}`} data-testid="offline-status" data-state={state} role="status" title="The app and the model pack are cached on this device after the first visit; nothing is sent anywhere.">
      {text}
    </span>
  );
}
