"""fer2d with its float16 weights stored as float32 and the Cast nodes behind them removed, for
`npm run bench -- model2d`: does the float16 storage cost anything at run time?
Usage: /usr/bin/python3 scripts/bench/fp32_weights.py in.onnx out.onnx"""
import sys

import onnx
from onnx import TensorProto, numpy_helper

model = onnx.load(sys.argv[1])
g = model.graph
inits = {i.name: i for i in g.initializer}
rename = {}
for node in list(g.node):
    src = node.input[0] if node.input else None
    to = next((a.i for a in node.attribute if a.name == 'to'), None)
    if node.op_type == 'Cast' and src in inits and inits[src].data_type == TensorProto.FLOAT16 and to == TensorProto.FLOAT:
        arr = numpy_helper.to_array(inits[src]).astype('float32')
        g.initializer.remove(inits[src])
        g.initializer.append(numpy_helper.from_array(arr, node.output[0]))
        g.node.remove(node)
onnx.checker.check_model(model)
onnx.save(model, sys.argv[2])
