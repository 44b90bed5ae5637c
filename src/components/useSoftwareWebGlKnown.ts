import { useSyncExternalStore } from 'react';
import { probeSoftwareWebGlWhenIdle, softwareWebGlKnown } from '../render3d/softwareGl';

/**
 * Whether the page's WebGL has been identified (render3d/softwareGl.ts); asks for it when the page
 * is next idle, so mounting a view does not block the start-up (issue #16). Until it turns true,
 * choices that depend on it (preview mode, redraw pacing) are not shown, and code that needs one
 * at once calls `softwareWebGl()` itself.
 */
export function useSoftwareWebGlKnown(): boolean {
  return useSyncExternalStore(probeSoftwareWebGlWhenIdle, softwareWebGlKnown, () => false);
}
