/** The honest label every ICT head view carries. */
export const ICT_LABEL = 'ICT-FaceKit head fitted to your landmarks, driven by MediaPipe blendshapes (not FLAME)';

export function IctCredit() {
  return (
    <p className="muted small" data-testid="ict-credit">
      {ICT_LABEL}. Model: ICT-FaceKit, © 2020 USC Institute for Creative Technologies, MIT licence (
      <a href="models/ict_head.md" target="_blank" rel="noreferrer">
        card
      </a>
      ).
    </p>
  );
}
