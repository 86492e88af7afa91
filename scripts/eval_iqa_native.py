#!/usr/bin/python3
"""Model 3 on its own kind of defects (scripts/iqa/native_defects.py) made on
the held-out photos, never trained on: each held-out photo at its sizes
(scripts/iqa/training_views.py, another seed than training's), the pristine
version and two levels of every defect. Per defect: the mean over groups of
Spearman's correlation between score and level (pristine = 0), and how often
the pristine version scores above a damaged one. The views are those mtool
prepares (scripts/iqa/views.py); scripts/eval_iqa_independent.py runs mtool
itself on defects made by other software.

usage: /usr/bin/python3 scripts/eval_iqa_native.py MODEL"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iqa import photos, training_views  # noqa: E402
from iqa.distortions import DEFECTS  # noqa: E402
from iqa.rank_correlation import spearman  # noqa: E402
from train_iqa import ROOT, as_input  # noqa: E402

FOLDER = os.path.join(ROOT, "build", "iqa-views-held-out")


def main():
    model = torch.jit.load(sys.argv[1]).eval()
    torch.set_num_threads(2)
    crops = model.crops
    _, held_out = photos.split()
    training_views.build(held_out, FOLDER, repeats=1, seed=1)
    views = np.load(os.path.join(FOLDER, "views.npy"), mmap_mode="r")
    defects = np.load(os.path.join(FOLDER, "defects.npy"))
    levels = np.load(os.path.join(FOLDER, "levels.npy"))
    rows = {name: {"srcc": [], "above": 0, "pairs": 0} for name in DEFECTS[1:]}
    pristine_scores = []
    for g in range(len(views)):
        with torch.no_grad():
            x = as_input(np.ascontiguousarray(views[g][:, :1 + crops]), torch.zeros(len(defects[g]), dtype=torch.bool))
            score, _ = model(x)
        score = score.tolist()
        pristine_scores.append(score[0])
        for d in range(1, len(DEFECTS)):
            members = [0] + [i for i in range(len(defects[g])) if defects[g][i] == d]
            row = rows[DEFECTS[d]]
            row["srcc"].append(-spearman([int(levels[g][i]) for i in members], [score[i] for i in members]))
            row["above"] += sum(score[0] > score[i] for i in members[1:])
            row["pairs"] += len(members) - 1
    print(f"{len(views)} groups (held-out photos at their sizes); pristine median score {np.median(pristine_scores):.1f}")
    print("| defect | SRCC per group | pristine above |\n|---|---|---|")
    for name, row in rows.items():
        print(f"| {name} | {np.mean(row['srcc']):.3f} | {100 * row['above'] / row['pairs']:.1f}% |")
    above = sum(r["above"] for r in rows.values()) / sum(r["pairs"] for r in rows.values())
    print(f"| all | {np.mean([np.mean(r['srcc']) for r in rows.values()]):.3f} | {100 * above:.1f}% |")


if __name__ == "__main__":
    main()
