"""In-memory logistic scoring of 8 float32 layers with numpy, for comparison with
`prospect bench` (same model form: p = 1 / (1 + exp(-(b0 + sum_k c_k (x_k - m_k)))), nodata where
any layer equals -9999). Run: python3 Benchmarks/peers/numpy_logistic.py"""
import time
import numpy as np

cells, layers = 1 << 24, 8
rng = np.random.default_rng(7)
x = [rng.random(cells, dtype=np.float32) * 100 + 100 * (k + 1) for k in range(layers)]
coef = [np.float32(0.01 * (k + 1)) for k in range(layers)]
center = [np.float32(100 * (k + 1)) for k in range(layers)]


def score():
    z = np.full(cells, -4, dtype=np.float32)
    bad = np.zeros(cells, dtype=bool)
    for k in range(layers):
        z += coef[k] * (x[k] - center[k])
        bad |= x[k] == -9999
    p = 1 / (1 + np.exp(-z))
    p[bad] = -1
    return p


times = []
for _ in range(5):
    t0 = time.perf_counter()
    score()
    times.append(time.perf_counter() - t0)
best = min(times)
print(f"numpy {np.__version__}: {cells / best / 1e6:.1f} M cells/s ({best:.3f} s for {cells} cells, {layers} layers)")
