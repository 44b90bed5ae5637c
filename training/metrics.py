"""Majority-vote metrics: accuracy, macro-F1 and per-class recall.

Inputs are FER+-ordered class indices; per-class numbers are reported by AffectNet
class name because that is the order the app and the model card use.
"""
import numpy as np

from ferplus import AFFECTNET_CLASSES, AFFECTNET_FROM_FERPLUS

N_CLASSES = 8


def confusion(y_true, y_pred, n=N_CLASSES):
    cm = np.zeros((n, n), dtype=np.int64)
    np.add.at(cm, (np.asarray(y_true), np.asarray(y_pred)), 1)
    return cm


def summarize(y_true, y_pred):
    """Return a JSON-ready dict; fractions in 0..1."""
    cm = confusion(y_true, y_pred)
    tp = np.diag(cm).astype(np.float64)
    support = cm.sum(axis=1)
    predicted = cm.sum(axis=0)
    recall = np.divide(tp, support, out=np.zeros_like(tp), where=support > 0)
    precision = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)
    denom = precision + recall
    f1 = np.divide(2 * precision * recall, denom, out=np.zeros_like(tp), where=denom > 0)
    # Macro-F1 over the 8 classes (all 8 occur in every FER+ split).
    return {
        "n": int(cm.sum()),
        "accuracy": float(tp.sum() / cm.sum()),
        "macroF1": float(f1.mean()),
        "perClassRecall": {AFFECTNET_CLASSES[j]: float(recall[i])
                           for j, i in enumerate(AFFECTNET_FROM_FERPLUS)},
        "perClassSupport": {AFFECTNET_CLASSES[j]: int(support[i])
                            for j, i in enumerate(AFFECTNET_FROM_FERPLUS)},
    }
