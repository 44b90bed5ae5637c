export * from './types';
export { parseFlameAsset, FlameAssetError, FLAME_LIMITS } from './flameAsset';
export { createFlameDecoder, rodrigues, type FlameDecoder } from './flameDecoder';
export { flameParamsFromRegressor, REGRESSOR_OUTPUTS, type RegressorFamily, type RegressorGroups } from './regressorParams';
export { projectToCrop } from './projection';
