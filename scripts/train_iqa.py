#!/usr/bin/python3
"""Trains mtool's built-in image-quality model, reproducibly, from photos in
Debian packages (scripts/iqa/photos.py), and writes:
  data/iqa_model.pt         the TorchScript model, with its recipe and output
                            description in extra/mtool.json (embedded in mtool)
  docs/iqa-model-card.md    data, method, metrics and limits (via eval_iqa.py)

Method: random crops of the training photos at the model's working
resolution get every synthetic defect (scripts/iqa/distortions.py) at random
levels. The loss is (1) a ranking loss: each crop scores above its distorted
versions, and a milder level above a stronger one of the same defect; (2) a
regression towards a target score per level, so 0-100 has a fixed meaning;
(3) cross-entropy on which defect was applied. Fixed seeds and thread count.

usage: /usr/bin/python3 scripts/train_iqa.py [--steps N] [--minutes M] [--output PT] [--card MD]"""
import argparse
import json
import os
import random
import subprocess
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iqa import distortions, photos  # noqa: E402
from iqa.model import MEAN, STD, QualityNet  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CROP = 160
CROPS_PER_STEP = 4
MODEL_NAME = "mtool-iqa"
MODEL_VERSION = "2"


def normalise(batch):
    mean = torch.tensor(MEAN)[None, :, None, None]
    std = torch.tensor(STD)[None, :, None, None]
    return (batch - mean) / std


def random_crop(image, generator):
    _, h, w = image.shape
    top = torch.randint(0, h - CROP + 1, (1,), generator=generator).item()
    left = torch.randint(0, w - CROP + 1, (1,), generator=generator).item()
    crop = image[:, top:top + CROP, left:left + CROP]
    if torch.rand(1, generator=generator).item() < 0.5:
        crop = crop.flip(2)
    return crop


def make_step(pristine, generator):
    """A batch: per crop, the pristine version and every defect at a random
    level, plus a second level for two defects (for level-vs-level pairs).
    Returns images, target scores, their regression weights, defect labels
    and ranking pairs (better, worse) as indices into the batch."""
    images, scores, weights, labels, pairs = [], [], [], [], []
    for _ in range(CROPS_PER_STEP):
        source = pristine[torch.randint(0, len(pristine), (1,), generator=generator).item()]
        crop, darkened = distortions.scene_variation(random_crop(source, generator), generator)
        base = len(images)
        images.append(crop)
        scores.append(distortions.target_score(0))
        weights.append(0.0 if darkened else 1.0)
        labels.append(0)
        extra = set(torch.randperm(len(distortions.DEFECTS) - 1, generator=generator)[:3].add(1).tolist())
        for defect in range(1, len(distortions.DEFECTS)):
            levels = torch.randperm(distortions.LEVELS, generator=generator)[:2 if defect in extra else 1].add(1).tolist()
            seed = torch.randint(0, 2**31, (1,), generator=generator).item()
            indices = []
            for level in levels:
                indices.append((len(images), level))
                images.append(distortions.distort(crop, defect, level, seed))
                scores.append(distortions.target_score(level))
                weights.append(0.0 if darkened or not distortions.has_target_score(defect) else 1.0)
                labels.append(defect)
                pairs.append((base, len(images) - 1))
            if len(indices) == 2:
                (a, la), (b, lb) = indices
                pairs.append((a, b) if la < lb else (b, a))
    return (torch.stack(images), torch.tensor(scores), torch.tensor(weights), torch.tensor(labels),
            torch.tensor(pairs))


def train(steps, minutes, seed=0):
    torch.manual_seed(seed)
    random.seed(seed)
    torch.set_num_threads(2)
    generator = torch.Generator().manual_seed(seed)
    train_photos, _ = photos.split()
    # Each photo at two scales: the working size, and closer up where the original allows.
    pristine = [photos.load(path, crop=False) for path in train_photos]
    pristine += [photos.load(path, size=640, crop=False) for path in train_photos if photos.shorter_side(path) >= 900]
    model = QualityNet(len(distortions.DEFECTS))
    optimiser = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=2e-3, total_steps=steps, pct_start=0.1)
    start = time.time()
    model.train()
    for step in range(steps):
        images, target, weight, labels, pairs = make_step(pristine, generator)
        score, logits = model(normalise(images))
        ranking = F.relu(4.0 - (score[pairs[:, 0]] - score[pairs[:, 1]])).mean()
        regression = (F.smooth_l1_loss(score, target, beta=5.0, reduction="none") * weight).sum() / weight.sum().clamp(min=1)
        classification = F.cross_entropy(logits, labels)
        loss = 2.0 * ranking + 0.3 * regression + 5.0 * classification
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        schedule.step()
        if step % 50 == 0 or step == steps - 1:
            elapsed = time.time() - start
            print(f"step {step:5d}/{steps}  loss {loss.item():7.3f}  rank {ranking.item():6.3f}  "
                  f"reg {regression.item():6.2f}  cls {classification.item():5.3f}  {elapsed / 60:5.1f} min", flush=True)
            if elapsed > minutes * 60:
                print(f"stopping at the {minutes}-minute budget")
                break
    return model.eval()


def save(model, path):
    recipe = {
        "name": MODEL_NAME, "version": MODEL_VERSION,
        "resize": photos.WORKING_SIZE, "crop": photos.WORKING_SIZE, "range": "0-1",
        "mean": MEAN, "std": STD, "channels": "RGB", "layout": "NCHW", "dtype": "float32",
        "exact_resize": True,
        "output": {"kind": "quality", "defects": distortions.DEFECTS},
    }
    scripted = torch.jit.script(model)
    torch.jit.save(scripted, path, _extra_files={"mtool.json": json.dumps(recipe, indent=2) + "\n"})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--minutes", type=float, default=45)
    parser.add_argument("--output", default=os.path.join(ROOT, "data", "iqa_model.pt"))
    parser.add_argument("--card", default=os.path.join(ROOT, "docs", "iqa-model-card.md"))
    args = parser.parse_args()
    started = time.time()
    model = train(args.steps, args.minutes)
    save(model, args.output)
    minutes = (time.time() - started) / 60
    print(f"wrote {args.output} ({os.path.getsize(args.output) / 1e6:.2f} MB) after {minutes:.1f} min")
    subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "eval_iqa.py"), args.output,
                    "--card", args.card, "--train-minutes", f"{minutes:.1f}",
                    "--train-steps", str(args.steps)], check=True)


if __name__ == "__main__":
    main()
