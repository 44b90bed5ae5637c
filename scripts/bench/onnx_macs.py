"""Multiply-accumulates of one inference of an ONNX model (Conv, Gemm, MatMul; batch 1), from
the graph and its inferred shapes, as JSON: {"macs": n, "ops": {op_type: count}, "float16Initializers": n}.
Used by `npm run bench -- model2d` to turn latencies into GFLOP/s (1 MAC = 2 FLOP).
Usage: /usr/bin/python3 scripts/bench/onnx_macs.py model.onnx"""
import json
import sys
from collections import Counter

import numpy as np
import onnx
from onnx import TensorProto, shape_inference

model = shape_inference.infer_shapes(onnx.load(sys.argv[1]))
g = model.graph
shapes = {v.name: [d.dim_value or 1 for d in v.type.tensor_type.shape.dim] for v in [*g.value_info, *g.input, *g.output]}
inits = {i.name: i for i in g.initializer}
producer = {o: n for n in g.node for o in n.output}


def weight(name):
    """The initializer behind `name`, through Cast / DequantizeLinear-style single-input chains."""
    while name not in inits:
        node = producer.get(name)
        if node is None:
            return None
        name = node.input[0]
    return inits[name]


macs = 0
for node in g.node:
    w = weight(node.input[1]) if node.op_type in ('Conv', 'Gemm', 'MatMul') and len(node.input) > 1 else None
    if node.op_type == 'Conv' and w is not None:
        macs += int(np.prod(shapes[node.output[0]][1:]) * np.prod(list(w.dims)[1:]))
    elif node.op_type in ('Gemm', 'MatMul'):
        a = shapes.get(node.input[0], [1])
        rows = int(np.prod(a[:-1])) if len(a) > 1 else 1
        macs += rows * int(np.prod(list(w.dims))) if w is not None else 0
print(json.dumps({
    'macs': macs,
    'ops': dict(Counter(n.op_type for n in g.node)),
    'float16Initializers': sum(1 for i in g.initializer if i.data_type == TensorProto.FLOAT16),
}))
