export * from './affine';
export * from './landmarkSets';
export * from './cropGeometry';
export * from './tensorFromPixels';
export * from './sampleCrop';
export * from './wholeImageFallback';
