#!/usr/bin/python3
"""The tutorial LeNet in PyTorch, as a speed reference for lenet (bench/compare_pytorch).

Written from the tutorial's description: conv 5x5 (20 maps) -> 2x2 max-pool -> tanh,
conv 5x5 (50 maps) -> 2x2 max-pool -> tanh, 800 -> 500 tanh, 500 -> 10 softmax, mean negative
log-likelihood, plain SGD with learning rate 0.1. Random images stand in for MNIST: only the
speed is measured. Prints one JSON object.
"""
import argparse
import json
import statistics
import time

import torch
from torch import nn


class TutorialLeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 20, 5), nn.MaxPool2d(2), nn.Tanh(),
            nn.Conv2d(20, 50, 5), nn.MaxPool2d(2), nn.Tanh(),
        )
        self.hidden = nn.Sequential(nn.Flatten(), nn.Linear(800, 500), nn.Tanh())
        self.classifier = nn.Linear(500, 10)

    def forward(self, x):
        return self.classifier(self.hidden(self.features(x)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(23455)
    model = TutorialLeNet()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    loss_fn = nn.CrossEntropyLoss()
    batches = [(torch.rand(args.batch_size, 1, 28, 28), torch.randint(0, 10, (args.batch_size,)))
               for _ in range(8)]

    def train_step(i):
        x, y = batches[i % 8]
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()

    for i in range(3):
        train_step(i)
    train_rates, infer_rates = [], []
    for _ in range(args.repeats):
        t = time.perf_counter()
        for i in range(args.steps):
            train_step(i)
        train_rates.append(args.steps * args.batch_size / (time.perf_counter() - t))
        with torch.no_grad():
            t = time.perf_counter()
            for i in range(args.steps):
                model(batches[i % 8][0])
            infer_rates.append(args.steps * args.batch_size / (time.perf_counter() - t))
    print(json.dumps({"framework": f"pytorch {torch.__version__}", "threads": args.threads,
                      "batch_size": args.batch_size,
                      "train_images_per_s": statistics.median(train_rates),
                      "infer_images_per_s": statistics.median(infer_rates)}))


if __name__ == "__main__":
    main()
