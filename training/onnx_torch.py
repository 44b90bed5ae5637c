"""Run a small exported ONNX graph in PyTorch (Conv/Relu/Add/Pad/AveragePool/GlobalAveragePool/
Flatten/Gemm/MatMul/Cast/Reshape): lets the offline checks score the shipped models themselves,
float16-stored weights included, without onnxruntime for Python (not installable here)."""
import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper


class OnnxTorch:
    def __init__(self, path):
        m = onnx.load(path)
        self.graph = m.graph
        self.consts = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in m.graph.initializer}
        for n in m.graph.node:
            if n.op_type == "Constant":
                self.consts[n.output[0]] = torch.from_numpy(numpy_helper.to_array(n.attribute[0].t).copy())
        self.input = m.graph.input[0].name
        self.output = m.graph.output[0].name

    @torch.no_grad()
    def __call__(self, x):
        env = dict(self.consts)
        env[self.input] = torch.as_tensor(x, dtype=torch.float32)
        for n in self.graph.node:
            a = {at.name: onnx.helper.get_attribute_value(at) for at in n.attribute}
            i = [env[k] if k else None for k in n.input]
            op = n.op_type
            if op == "Constant":
                continue
            if op == "Cast":
                y = i[0].float() if a["to"] == 1 else i[0].to(torch.float16 if a["to"] == 10 else torch.int64)
            elif op == "Conv":
                p = a.get("pads", [0, 0, 0, 0])
                xin = F.pad(i[0], (p[1], p[3], p[0], p[2])) if any(p) else i[0]
                y = F.conv2d(xin, i[1], i[2] if len(i) > 2 else None, stride=a.get("strides", [1, 1]), groups=a.get("group", 1))
            elif op == "Relu":
                y = F.relu(i[0])
            elif op == "Add":
                y = i[0] + i[1]
            elif op == "Pad":
                p = list(a['pads']) if 'pads' in a else i[1].tolist()  # opset < 11: attribute
                h = len(p) // 2
                pads = []
                for d in range(h - 1, -1, -1):
                    pads += [p[d], p[d + h]]
                y = F.pad(i[0], pads)
            elif op == "AveragePool":
                y = F.avg_pool2d(i[0], a["kernel_shape"], a.get("strides", a["kernel_shape"]))
            elif op == "GlobalAveragePool":
                y = i[0].mean((2, 3), keepdim=True)
            elif op == "Flatten":
                y = torch.flatten(i[0], a.get("axis", 1))
            elif op == "Gemm":
                b = i[1].t() if a.get("transB", 0) else i[1]
                y = i[0] @ b + (i[2] if len(i) > 2 else 0)
            elif op == "MatMul":
                y = i[0] @ i[1]
            elif op == "Reshape":
                y = i[0].reshape([int(v) for v in i[1].tolist()])
            else:
                raise NotImplementedError(op)
            env[n.output[0]] = y
        return env[self.output].numpy()
