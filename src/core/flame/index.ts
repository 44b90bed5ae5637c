export * from './types';
export { parseFlameAsset, FlameAssetError, FLAME_LIMITS } from './flameAsset';
export { createFlameDecoder, rodrigues, type FlameDecoder } from './flameDecoder';
export { flameParamsFromRegressor, REGRESSOR_OUTPUTS } from './regressorParams';
