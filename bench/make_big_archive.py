#!/usr/bin/python3
"""Writes a TorchScript archive of about SIZE_MIB MiB (default 1024) for bench/inspect.sh."""
import sys

import torch


class Big(torch.nn.Module):
    def __init__(self, elements):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.zeros(elements))
        self.fc = torch.nn.Linear(8, 8)

    def forward(self, x):
        return self.fc(x) + self.weight[:8]


def main():
    path = sys.argv[1]
    size_mib = int(sys.argv[2]) if len(sys.argv) > 2 else 1024
    torch.jit.script(Big(size_mib * 1024 * 1024 // 4)).save(path)


if __name__ == "__main__":
    main()
