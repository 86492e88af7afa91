#!/usr/bin/python3
"""Writes COUNT small files for bench/scan.sh into DIR: two fifths plain
pickles (protocols 2 and 4, benign dicts and lists), a fifth each torch.save
zip checkpoints (small state dicts), tar.gz archives holding a pickle, and
malicious pickles (os.system by REDUCE, as picklescan's samples). Each kind
is made once by Python and PyTorch and copied under numbered names.

    make_scan_files.py DIR COUNT
"""
import io
import os
import pickle
import shutil
import sys
import tarfile

import torch


class Boom:
    def __reduce__(self):
        return (os.system, ("echo never run",))


def templates(work):
    paths = {}
    paths["plain.pkl"] = pickle.dumps({"weights": [0.5] * 32, "name": "layer", "shape": (4, 8)}, protocol=2)
    paths["list4.pkl"] = pickle.dumps([{"id": i, "score": i / 7} for i in range(20)], protocol=4)
    buffer = io.BytesIO()
    torch.save({"conv.weight": torch.randn(4, 3, 3, 3), "conv.bias": torch.zeros(4)}, buffer)
    paths["checkpoint.pt"] = buffer.getvalue()
    paths["malicious.pkl"] = pickle.dumps(Boom(), protocol=2)
    tar_path = os.path.join(work, "archive.tar.gz")
    with tarfile.open(tar_path, "w:gz") as tar:
        data = pickle.dumps({"a": 1, "b": [1, 2, 3]}, protocol=4)
        info = tarfile.TarInfo("inner/data.pkl")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    written = {}
    for name, data in paths.items():
        path = os.path.join(work, name)
        with open(path, "wb") as out:
            out.write(data)
        written[name] = path
    written["archive.tar.gz"] = tar_path
    return written


def main():
    out, count = sys.argv[1], int(sys.argv[2])
    os.makedirs(out, exist_ok=True)
    work = os.path.join(out, "..", "scan-templates")
    os.makedirs(work, exist_ok=True)
    sources = list(templates(work).items())
    per_folder = 1000  # folders of 1,000, as photo and model mirrors are laid out
    for i in range(count):
        name, source = sources[i % len(sources)]
        folder = os.path.join(out, f"{i // per_folder:04d}")
        if i % per_folder == 0:
            os.makedirs(folder, exist_ok=True)
        shutil.copyfile(source, os.path.join(folder, f"{i:06d}_{name}"))


if __name__ == "__main__":
    main()
