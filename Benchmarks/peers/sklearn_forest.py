"""Random-forest prediction with scikit-learn, for comparison with Prospect's tree kernels
(`prospect-benchmarks --trees`): RandomForestClassifier(n_estimators=100, max_depth=6) grown on a
60 000-cell sample of 8 float32 layers, then predict_proba on 2^24 cells in memory, with one
thread (n_jobs=None) and all cores (n_jobs=-1). Best of 3.
Run: python3 Benchmarks/peers/sklearn_forest.py   (pip install scikit-learn if missing)"""
import os
import time

import numpy as np
import sklearn
from sklearn.ensemble import RandomForestClassifier

cells, layers = 1 << 24, 8
rng = np.random.default_rng(7)
x = np.empty((cells, layers), dtype=np.float32)
for k in range(layers):
    x[:, k] = rng.random(cells, dtype=np.float32) * 100 + 100 * (k + 1)

sample = x[rng.choice(cells, 60_000, replace=False)]
favourable = (sample[:, 0] > np.quantile(sample[:, 0], 0.7)) & (sample[:, -1] < np.quantile(sample[:, -1], 0.4))
labels = rng.random(len(sample)) < np.where(favourable, 0.05, 0.002)

for jobs in (None, -1):
    forest = RandomForestClassifier(n_estimators=100, max_depth=6, class_weight="balanced", random_state=1, n_jobs=jobs)
    forest.fit(sample, labels)
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        forest.predict_proba(x)
        times.append(time.perf_counter() - t0)
    best = min(times)
    threads = 1 if jobs is None else os.cpu_count()
    print(f"scikit-learn {sklearn.__version__} RandomForestClassifier(100 trees, max_depth=6), {threads} thread(s): "
          f"{cells / best / 1e6:.2f} M cells/s ({best:.2f} s for {cells} cells, {layers} layers)")
