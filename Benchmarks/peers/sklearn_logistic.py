"""scikit-learn's LogisticRegression on the sample `prospect train --method logistic` fits, in the
same run as Prospect's own fit on it, for comparison with `prospect bench --training`.

Runs `prospect bench --training --skip-end-to-end --json` (which draws the logistic sample from the
8 x 8192^2 study in --work-dir, writes it there and times Prospect's fit with all threads and one),
then fits the same rows with scikit-learn, best of --repetitions, on the same standardized design
(each layer less its mean over its population standard deviation, as Prospect standardizes) and the
same penalty: Prospect maximizes loglik - l2/2 |b|^2 (intercept free), scikit-learn minimizes
C sum(loss) + 1/2 |w|^2, so C = 1/l2. Standardizing is not timed for scikit-learn; Prospect's
figure includes it. The coefficients are compared to show both solved the same problem.

Run from the repository (after `swift build -c release`; `pip install scikit-learn`):
  python3 Benchmarks/peers/sklearn_logistic.py [--prospect .build/release/prospect]
      [--work-dir /tmp/prospect-bench] [--repetitions 3]
"""
import argparse
import json
import subprocess
import time

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression

parser = argparse.ArgumentParser()
parser.add_argument("--prospect", default=".build/release/prospect")
parser.add_argument("--work-dir", default="/tmp/prospect-bench")
parser.add_argument("--repetitions", type=int, default=3)
args = parser.parse_args()

out = subprocess.run(
    [args.prospect, "bench", "--training", "--skip-end-to-end", "--json", "--work-dir", args.work_dir,
     "--repetitions", str(args.repetitions)],
    check=True, capture_output=True, text=True).stdout
fit = json.loads(out)["fit"]
n, k = fit["rows"], fit["layers"]
x = np.fromfile(fit["samplePath"], dtype=np.float32).reshape(n, k).astype(np.float64)
y = np.fromfile(fit["labelsPath"], dtype=np.uint8)
z = (x - x.mean(axis=0)) / x.std(axis=0)
prospect = np.array(fit["coefficients"])

print(f"sample: {n} rows ({int(y.sum())} deposit cells) x {k} layers, L2 {fit['l2']} (C = {1 / fit['l2']:g})")
print(f"{'fit':48} {'best s':>8}  runs s")
for r in fit["runs"]:
    label = f"Prospect {r['path']}, {r['threads']} thread{'s' if r['threads'] > 1 else ''}"
    print(f"{label:48} {min(r['seconds']):8.3f}  {', '.join(f'{s:.3f}' for s in r['seconds'])}  ({r['iterations']} iterations)")
best_prospect = min(min(r["seconds"]) for r in fit["runs"] if r["path"] == "fast")

for solver in ["lbfgs", "newton-cholesky"]:
    times = []
    for _ in range(args.repetitions):
        model = LogisticRegression(C=1 / fit["l2"], solver=solver, max_iter=1000)
        t0 = time.perf_counter()
        model.fit(z, y)
        times.append(time.perf_counter() - t0)
    theirs = np.concatenate([model.intercept_, model.coef_[0]])
    worst = np.max(np.abs(theirs - prospect))
    label = f"scikit-learn {sklearn.__version__} {solver}"
    print(f"{label:48} {min(times):8.3f}  {', '.join(f'{s:.3f}' for s in times)}  ({model.n_iter_[0]} iterations; "
          f"largest |coefficient difference| {worst:.2e}; {min(times) / best_prospect:.1f}x Prospect's best)")
