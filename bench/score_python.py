#!/usr/bin/python3
"""The Python side of bench/score.sh: the torchvision+PIL pipeline most
training and evaluation code uses (Image.open, Resize(256), CenterCrop(224),
ToTensor, Normalize, model forward), over the same photos with the same
TorchScript model and thread count. Prints images per second.

usage: score_python.py MODEL THREADS MODE PHOTO...   MODE: loop | dataloader
(dataloader: torch.utils.data.DataLoader with THREADS worker processes, the
fastest plain-PyTorch way to feed photos)"""
import sys
import time

import torch
import torchvision.transforms as T
from PIL import Image

model_path, threads, mode, photos = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
torch.set_num_threads(threads)
transform = T.Compose([T.Resize(256), T.CenterCrop(224), T.ToTensor(),
                       T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])


class Photos(torch.utils.data.Dataset):
    def __len__(self):
        return len(photos)

    def __getitem__(self, index):
        return transform(Image.open(photos[index]).convert("RGB"))


model = torch.jit.load(model_path).eval()
start = time.perf_counter()
with torch.no_grad():
    if mode == "loop":
        for photo in photos:
            model(transform(Image.open(photo).convert("RGB")).unsqueeze(0)).argmax()
    else:
        for batch in torch.utils.data.DataLoader(Photos(), batch_size=1, num_workers=threads):
            model(batch).argmax()
elapsed = time.perf_counter() - start
print(f"{len(photos) / elapsed:.2f}")
