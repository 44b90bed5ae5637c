"""Compact ResNet for 48x48 grayscale faces, sized for CPU training on 2 cores."""
import torch
from torch import nn


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.short = None
        if stride != 1 or cin != cout:
            self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                       nn.BatchNorm2d(cout))

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return torch.relu(y + (x if self.short is None else self.short(x)))


class Fer2dNet(nn.Module):
    """stem @48x48 -> stages (each: one strided block + `depth-1` plain blocks) -> GAP -> FC.

    `widths` are the stage channel counts; the stem uses widths[0].
    """

    def __init__(self, widths=(32, 64, 128, 256), depths=(1, 1, 1), n_classes=8, dropout=0.3):
        super().__init__()
        assert len(depths) == len(widths) - 1
        self.stem = nn.Sequential(nn.Conv2d(1, widths[0], 3, 1, 1, bias=False),
                                  nn.BatchNorm2d(widths[0]), nn.ReLU(inplace=True))
        blocks = []
        for cin, cout, d in zip(widths[:-1], widths[1:], depths):
            blocks.append(BasicBlock(cin, cout, 2))
            blocks += [BasicBlock(cout, cout, 1) for _ in range(d - 1)]
        self.blocks = nn.Sequential(*blocks)
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                                  nn.Dropout(dropout), nn.Linear(widths[-1], n_classes))
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        # Zero-init the last BN of each residual branch: blocks start as identity,
        # which makes short high-LR schedules more stable.
        for m in self.modules():
            if isinstance(m, BasicBlock):
                nn.init.zeros_(m.bn2.weight)

    def forward(self, x):
        return self.head(self.blocks(self.stem(x)))


class FlipTTA(nn.Module):
    """Mean of the logits of the image and its horizontal mirror.

    Built into the exported graph so the browser runs exactly what was measured.
    The mirror uses index_select with a constant reversed index (ONNX Gather), which
    exports cleanly on every opset.
    """

    def __init__(self, net, width=48):
        super().__init__()
        self.net = net
        self.register_buffer("rev", torch.arange(width - 1, -1, -1), persistent=False)

    def forward(self, image):
        mirrored = torch.index_select(image, 3, self.rev)
        return 0.5 * (self.net(image) + self.net(mirrored))


def load_checkpoint(path):
    """(Fer2dNet in eval mode, the checkpoint dict) for a train_fer2d.py checkpoint; the
    architecture comes from the config recorded in it."""
    ck = torch.load(path, map_location="cpu", weights_only=False)  # our own checkpoints (config dict)
    cfg = ck["config"]
    net = Fer2dNet(tuple(cfg["widths"]), tuple(cfg["depths"]), dropout=cfg["dropout"])
    net.load_state_dict(ck["state_dict"])
    return net.eval(), ck


def fer2d_from_onnx(path, widths=(32, 64, 128, 256), depths=(1, 2, 2), dropout=0.3):
    """A Fer2dNet carrying the weights of a shipped fer2d.onnx (whose BatchNorms were folded
    into the convolutions at export).

    Each BatchNorm gets identity statistics (mean 0, var 1 − eps) and the folded bias as β, so in
    eval mode it is exactly the folded convolution's bias. Fine-tune such a net with its BNs kept in
    eval mode (`freeze_batchnorm`): batch statistics would undo the folding. This is how a shipped
    model can be trained further when only its ONNX graph was kept.
    """
    import onnx
    from onnx import numpy_helper
    m = onnx.load(path)
    init = {i.name: numpy_helper.to_array(i).astype("float32") for i in m.graph.initializer}
    for n in m.graph.node:  # float16-stored weights are Cast to float32 in the graph
        if n.op_type == "Cast" and n.input[0] in init:
            init[n.output[0]] = init[n.input[0]]
    convs = [n for n in m.graph.node if n.op_type == "Conv"]
    net = Fer2dNet(widths, depths, dropout=dropout)
    # ONNX order: stem, then per block conv1, conv2, shortcut (when it exists) — module order.
    targets = [(net.stem[0], net.stem[1])]
    for b in net.blocks:
        targets += [(b.conv1, b.bn1), (b.conv2, b.bn2)]
        if b.short is not None:
            targets.append((b.short[0], b.short[1]))
    assert len(targets) == len(convs), (len(targets), len(convs))
    with torch.no_grad():
        for (conv, bn), node in zip(targets, convs):
            w, bias = init[node.input[1]], init[node.input[2]]
            assert tuple(conv.weight.shape) == w.shape, (conv.weight.shape, w.shape)
            conv.weight.copy_(torch.from_numpy(w))
            bn.weight.fill_(1.0)
            bn.bias.copy_(torch.from_numpy(bias))
            bn.running_mean.zero_()
            bn.running_var.fill_(1.0 - bn.eps)
        gemm = next(n for n in m.graph.node if n.op_type in ("Gemm", "MatMul"))
        fc_w = init[gemm.input[1]]
        net.head[3].weight.copy_(torch.from_numpy(fc_w if fc_w.shape == (8, widths[-1]) else fc_w.T))
        net.head[3].bias.copy_(torch.from_numpy(init[gemm.input[2]]))
    return net.eval()


def freeze_batchnorm(net):
    """Keep every BatchNorm in eval mode (fixed statistics) while the rest trains."""
    for mod in net.modules():
        if isinstance(mod, nn.BatchNorm2d):
            mod.eval()
    return net
