/** About & credits: third-party models and meshes the app uses, with their licences. */
export function Credits() {
  return (
    <details className="credits" data-testid="credits">
      <summary>About &amp; credits</summary>
      <ul>
        <li data-testid="credit-ict">
          <strong>3D head:</strong> ICT-FaceKit head fitted to your landmarks, driven by MediaPipe blendshapes (not FLAME). ICT
          Face Model (light), © 2020 USC Institute for Creative Technologies, MIT licence — github.com/ICT-VGL/ICT-FaceKit,
          commit da5f95a; converted to <code>models/ict_head.bin</code> (40 of 100 identity components, sparse float16
          expressions), see the <a href="models/ict_head.md">card</a>.
        </li>
        <li>
          <strong>Landmarks, blendshapes, head pose:</strong> Google MediaPipe Face Landmarker, Apache-2.0.
        </li>
        <li data-testid="credit-faceapi">
          <strong>Optional second 2D model:</strong> faceexpr7 is face-api&apos;s FaceExpressionNet (face-api.js © 2018 Vincent
          Mühler; @vladmandic/face-api © Vladimir Mandic; MIT licence), converted to ONNX. Not in the default pack; a pack may
          add it (its training data is undisclosed), see the <a href="models/faceexpr7.md">card</a>.
        </li>
        <li>
          <strong>Expression models:</strong> fer2d and head3d, trained for this app (cards in <code>models/</code>).
        </li>
      </ul>
    </details>
  );
}
