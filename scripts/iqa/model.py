"""The quality model: a small fully convolutional network over the whole
photo, pooled to a mean and a spread per feature (spread is what tells a
sharp, clean photo from a blurred or noisy one), with two heads: a quality
score from 0 to 100 and logits over DEFECTS."""
import torch
import torch.nn as nn

MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]


def block(inputs, outputs, stride):
    return nn.Sequential(nn.Conv2d(inputs, outputs, 3, stride, 1, bias=False), nn.BatchNorm2d(outputs), nn.ReLU(inplace=True))


class QualityNet(nn.Module):
    def __init__(self, defects: int):
        super().__init__()
        # Full resolution first: fine detail (noise, JPEG blocks, slight blur) lives there.
        self.features = nn.Sequential(
            block(3, 16, 1), block(16, 32, 2), block(32, 48, 2), block(48, 64, 2),
            block(64, 96, 2), block(96, 128, 2), block(128, 160, 2))
        self.trunk = nn.Sequential(nn.Linear(2 * 160 + 28, 128), nn.ReLU(inplace=True))
        self.score_head = nn.Linear(128, 1)
        self.register_buffer("pixel_mean", torch.tensor(MEAN).view(1, 3, 1, 1))
        self.register_buffer("pixel_std", torch.tensor(STD).view(1, 3, 1, 1))
        self.defect_head = nn.Linear(128, defects)

    def tone_chroma(self, pixels: torch.Tensor) -> torch.Tensor:
        """The colour of the darkest and of the brightest 3% of the pixels (by
        luminance), less their grey, and how far each is from grey. A cast tints
        the whole tonal range, shadows and highlights included, where a scene's
        own colour (a blue night, a red flower) mostly lives in the mid-tones;
        per-channel percentiles miss this, as they mix different pixels."""
        luminance = pixels.mean(dim=1).flatten(1)
        bounds = torch.quantile(luminance, torch.tensor([0.03, 0.97], device=pixels.device), dim=1)
        flat = pixels.flatten(2)
        parts = []
        for mask in [luminance <= bounds[0].unsqueeze(1), luminance >= bounds[1].unsqueeze(1)]:
            weight = mask.float().unsqueeze(1)
            tone = (flat * weight).sum(dim=2) / weight.sum(dim=2).clamp(min=1.0)
            chroma = tone - tone.mean(dim=1, keepdim=True)
            parts += [chroma, (chroma * chroma).sum(dim=1, keepdim=True).clamp(min=1e-8).sqrt()]
        return torch.cat(parts, dim=1)

    def forward(self, x: torch.Tensor):
        # Global colour statistics: exposure, contrast and casts are global. Clipped
        # shadows and highlights, as fractions of the pixels, tell over- and underexposure;
        # pixels clipped in two or three channels at once are blown highlights, where one
        # clipped channel is often just a saturated colour (a blue sky, a red flower).
        # Each channel's black and white points (1st and 99th percentile) show a cast:
        # a photo's darkest and brightest parts are usually close to neutral.
        pixels = x * self.pixel_std + self.pixel_mean
        clipped_channels = (pixels > 0.99).float().sum(dim=1)
        points = torch.quantile(pixels.flatten(2), torch.tensor([0.01, 0.99], device=x.device), dim=2)
        colour = torch.cat([x.mean(dim=(2, 3)), x.std(dim=(2, 3)), (pixels > 0.97).float().mean(dim=(2, 3)),
                            (pixels < 0.03).float().mean(dim=(2, 3)), points[0], points[1],
                            (clipped_channels >= 2).float().mean(dim=(1, 2)).unsqueeze(1),
                            (clipped_channels >= 3).float().mean(dim=(1, 2)).unsqueeze(1)], dim=1)
        colour = torch.cat([colour, self.tone_chroma(pixels)], dim=1)
        f = self.features(x)
        pooled = torch.cat([f.mean(dim=(2, 3)), f.std(dim=(2, 3)), colour], dim=1)
        h = self.trunk(pooled)
        score = torch.sigmoid(self.score_head(h)).squeeze(1) * 100.0
        return score, self.defect_head(h)
