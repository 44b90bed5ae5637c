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
    ck = torch.load(path, map_location="cpu")
    cfg = ck["config"]
    net = Fer2dNet(tuple(cfg["widths"]), tuple(cfg["depths"]), dropout=cfg["dropout"])
    net.load_state_dict(ck["state_dict"])
    return net.eval(), ck
