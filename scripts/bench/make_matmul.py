"""One MatMul, Y[M,N] = X[M,K] · W[K,N] (W a float32 initializer), for `npm run bench -- model2d`'s
ceiling row: the GEMM rate onnxruntime-web (WASM SIMD128) and onnxruntime-node (native MLAS)
reach on one thread with nothing else in the graph. The default shape is the im2col GEMM of one
of fer2d's 3×3 128→128 convolutions at 12×12 (M = 144 pixels, K = 128·9, N = 128 filters).
Usage: /usr/bin/python3 scripts/bench/make_matmul.py out.onnx [M K N]"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
m, k, n = (int(x) for x in sys.argv[2:5]) if len(sys.argv) >= 5 else (144, 1152, 128)
w = numpy_helper.from_array(np.random.default_rng(0).standard_normal((k, n)).astype(np.float32), 'W')
graph = helper.make_graph(
    [helper.make_node('MatMul', ['X', 'W'], ['Y'])],
    'matmul',
    [helper.make_tensor_value_info('X', TensorProto.FLOAT, [m, k])],
    [helper.make_tensor_value_info('Y', TensorProto.FLOAT, [m, n])],
    [w],
)
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)], ir_version=8), out)
