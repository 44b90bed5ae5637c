import { useEffect, useRef, useState, type MutableRefObject, type RefObject } from 'react';

/**
 * Owns one three.js renderer on one canvas for a React view: creates it on mount, disposes it
 * on unmount, and tracks WebGL context loss. The views keep rendering logic out of React; this
 * keeps the lost-context handling identical across them (predictions never depend on it).
 */
export function useWebGLRenderer<R extends { dispose(): void }>(create: (canvas: HTMLCanvasElement) => R, label: string) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const rendererRef = useRef<R | undefined>(undefined);
  const [lost, setLost] = useState(false);
  // Whether any of the canvas is in the viewport: the views skip drawing while it is not (on a
  // software GPU every draw costs the inference worker time, issue #16) and catch up when it is.
  const [onScreen, setOnScreen] = useState(true);
  // The factory is read once, at mount: a renderer is never re-created for a new closure.
  const createRef = useRef(create);

  useEffect(() => {
    const canvas = canvasRef.current!;
    const onLost = (e: Event) => {
      // preventDefault tells the browser we want the context back (webglcontextrestored).
      e.preventDefault();
      console.warn(`${label}: WebGL context lost`);
      setLost(true);
    };
    const onRestored = () => setLost(false);
    const io = typeof IntersectionObserver !== 'undefined' ? new IntersectionObserver((entries) => setOnScreen(entries[entries.length - 1].isIntersecting)) : undefined;
    io?.observe(canvas);
    canvas.addEventListener('webglcontextlost', onLost);
    canvas.addEventListener('webglcontextrestored', onRestored);
    try {
      rendererRef.current = createRef.current(canvas);
    } catch (e) {
      console.warn(`${label}: WebGL renderer failed: ${(e as Error).message}`);
      setLost(true);
    }
    return () => {
      io?.disconnect();
      canvas.removeEventListener('webglcontextlost', onLost);
      canvas.removeEventListener('webglcontextrestored', onRestored);
      rendererRef.current?.dispose();
      rendererRef.current = undefined;
    };
  }, [label]);

  return { canvasRef, rendererRef, lost, onScreen };
}

/** Hands a view's canvas to its parent (e.g. for "export figure") while the view is mounted. */
export function useExposeCanvas(target: MutableRefObject<HTMLCanvasElement | null> | undefined, canvas: RefObject<HTMLCanvasElement | null>): void {
  useEffect(() => {
    if (!target) return;
    target.current = canvas.current;
    return () => {
      target.current = null;
    };
  }, [target, canvas]);
}
