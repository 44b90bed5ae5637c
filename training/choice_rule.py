"""The one rule for choosing a calibration policy or a fer2d candidate (issue #12), shared by
choose_calibration.py and choose_fer2d_candidate.py so the two cannot drift apart:

  * the batch default: the highest Valid balanced accuracy + mean balanced accuracy over the
    cross-domain shifts, among the candidates whose Valid accuracy is at least the floor (no FER+
    regression); ties (to 4 decimals) go to the higher Valid accuracy;
  * the balanced policy (the live view's calibration switch): the same score with no floor.

Never scored on Test. `parts(row)` gives a row's (Valid accuracy, Valid balanced accuracy, mean
shifted balanced accuracy), so each script keeps its own row layout.
"""


def rule_key(valid_acc, valid_bal, shifts_bal):
    return (round(valid_bal + shifts_bal, 4), valid_acc)


def choose(rows, parts, min_clean_acc=None):
    """The row the rule picks; with `min_clean_acc`, only among rows whose Valid accuracy reaches it."""
    pool = [r for r in rows if min_clean_acc is None or parts(r)[0] >= min_clean_acc]
    if not pool:
        raise SystemExit(f"no candidate reaches Valid accuracy {min_clean_acc}")
    return max(pool, key=lambda r: rule_key(*parts(r)))
