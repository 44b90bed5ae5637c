// The class orders and blendshape names training/ reads (training/shared_names.py) are the JSON
// files beside the TypeScript; the typed constants the app uses must equal them.
import { describe, expect, it } from 'vitest';
import classOrders from '../../src/core/classes/classOrders.json';
import blendshapeNames from '../../src/core/blendshapeModel/blendshapeNames.json';
import { EXPRESSIONS, EXPRESSION_LABELS, FERPLUS_ORDER } from '../../src/core/classes/expressionClasses';
import { BLENDSHAPE_NAMES } from '../../src/core/blendshapeModel/blendshapeNames';

describe('names shared with training/', () => {
  it('class orders', () => {
    expect([...EXPRESSIONS]).toEqual(classOrders.affectnet);
    expect(EXPRESSIONS.map((e) => EXPRESSION_LABELS[e])).toEqual(classOrders.affectnetLabels);
    expect([...FERPLUS_ORDER]).toEqual(classOrders.ferplusAsAffectnet);
  });
  it('the 52 blendshape names', () => {
    expect([...BLENDSHAPE_NAMES]).toEqual(blendshapeNames.names);
  });
});
