"""Class orders and MediaPipe's blendshape names, read from the JSON files the app uses, so
training/ and src/ cannot drift apart (tests/core/sharedNames.test.ts checks the TypeScript side).

  src/core/classes/classOrders.json             AffectNet order (the app's), FER+ vote order
  src/core/blendshapeModel/blendshapeNames.json the 52 blendshape categories, output order
"""
import json
import os

_SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "core")

with open(os.path.join(_SRC, "classes", "classOrders.json")) as f:
    _ORDERS = json.load(f)
with open(os.path.join(_SRC, "blendshapeModel", "blendshapeNames.json")) as f:
    BLENDSHAPE_NAMES = json.load(f)["names"]

# The app's class order (AffectNet), lower-case ids and display labels.
CLASSES = list(_ORDERS["affectnet"])
CLASS_LABELS = list(_ORDERS["affectnetLabels"])
# Vote / logit order of FER+ (and of the exported fer2d model's output), FER+'s own names.
FERPLUS_CLASSES = list(_ORDERS["ferplusVotes"])
# AFFECTNET_FROM_FERPLUS[j] = FER+ index of AffectNet class j.
AFFECTNET_FROM_FERPLUS = [_ORDERS["ferplusAsAffectnet"].index(c) for c in CLASSES]

assert len(CLASSES) == 8 and len(FERPLUS_CLASSES) == 8 and len(BLENDSHAPE_NAMES) == 52
