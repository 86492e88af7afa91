#!/usr/bin/python3
"""The Python reference for `mtool score`: the same TorchScript model run on
the same photos through torchvision's transforms on PIL images, the pipeline
most training code uses. Prints one JSON object per photo: top-5 classes,
the raw output, and, when mtool saved its input tensors (--save-inputs), the
largest difference between mtool's input tensor and torchvision's.

usage: score_oracle.py MODEL [--resize 256] [--crop 224] [--inputs DIR] PHOTO...
       score_oracle.py MODEL --size 28 --grey --mean 0.1307 --std 0.3081 PHOTO...
         (an MNIST-style pipeline: Resize((28, 28)), Grayscale(), ToTensor(), Normalize(mean, std))
Run with /usr/bin/python3 (Debian's python3-torch and python3-torchvision)."""
import argparse
import json
import os

import torch
import torchvision.transforms as T
from PIL import Image, ImageOps


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("photos", nargs="+")
    parser.add_argument("--resize", type=int, default=256)
    parser.add_argument("--crop", type=int, default=224)
    parser.add_argument("--inputs", help="folder of mtool's saved input tensors (NNNNNN.pt, in photo order)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--size", type=int, help="resize to exactly SIZE x SIZE, no crop")
    parser.add_argument("--grey", action="store_true", help="one channel: torchvision's Grayscale after the resize")
    parser.add_argument("--mean", type=float, nargs="+", default=[0.485, 0.456, 0.406])
    parser.add_argument("--std", type=float, nargs="+", default=[0.229, 0.224, 0.225])
    parser.add_argument("--qengine", help="torch.backends.quantized.engine, e.g. qnnpack (as phones run)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.qengine:
        torch.backends.quantized.engine = args.qengine
    size = [T.Resize((args.size, args.size))] if args.size else [T.Resize(args.resize), T.CenterCrop(args.crop)]
    transform = T.Compose(size + ([T.Grayscale()] if args.grey else []) + [
        T.ToTensor(),
        T.Normalize(args.mean, args.std),
    ])
    model = torch.jit.load(args.model).eval()
    for index, photo in enumerate(args.photos):
        # mtool applies the EXIF orientation; so does the reference (PIL alone does not).
        opened = Image.open(photo)
        # PIL ignores an embedded ICC profile; mtool converts to sRGB, so such photos differ by design.
        has_icc = bool(opened.info.get("icc_profile"))
        image = ImageOps.exif_transpose(opened).convert("RGB")
        x = transform(image).unsqueeze(0)
        with torch.no_grad():
            y = model(x)
        result = {"path": photo, "icc_profile": has_icc, "output": y[0].flatten().tolist()}
        if y.dim() == 2 and y.shape[1] > 1:
            values, indices = y.softmax(1)[0].topk(min(5, y.shape[1]))
            result.update(top=indices.tolist(), probabilities=values.tolist())
        if args.inputs:
            theirs = torch.load(os.path.join(args.inputs, f"{index:06d}.pt"))
            result["input_max_abs_diff"] = (theirs - x).abs().max().item()
            result["input_mean_abs_diff"] = (theirs - x).abs().mean().item()
        print(json.dumps(result))


if __name__ == "__main__":
    main()
