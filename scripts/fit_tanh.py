#!/usr/bin/env python3
"""Fits and verifies the rational tanh of src/math.rs.

    tanh(x) ~ x * P(x^2) / Q(x^2),   x clamped to [-C, C]

P has degree M and Q degree N in y = x^2, Q's leading coefficient is 1 (one multiplication
fewer). The fit is our own: a linearised rational least-squares fit (Loeb's iteration, weights
1/Q of the previous iterate) with Lawson's reweighting towards the minimax solution, of the
absolute error in float64 on [0, C]. The float64 coefficients are then rounded to f32.

Verification (`--verify`, the default after a fit): evaluates the approximation in float32 with
exactly the operation order of src/math.rs (numpy float32 arithmetic is IEEE single precision
with round-to-nearest, no fused multiply-add, like the Rust code on every target) for EVERY
non-negative f32 below C, plus the clamped tail, against float64 `numpy.tanh`; the function is
exactly odd (only x^2 and x itself enter it), so the negative half has the same errors. Then
sigmoid, which is 0.5 + 0.5 tanh(x / 2) = 0.5 + x P'(x^2) / Q'(x^2) with the coefficients
substituted (and rounded to f32 separately), clamped to [-2C, 2C], against float64
1 / (1 + exp(-x)) on every f32 of magnitude below 2C, both signs, plus its clamped tail.

    python3 scripts/fit_tanh.py            # fit, print the Rust constants, verify (a few minutes)
    python3 scripts/fit_tanh.py --quick    # the same, verifying every 97th f32 only
"""

import sys

import numpy as np

M, N = 3, 4  # degrees of P and Q in y = x^2
C = 8.0  # clamp: 1 - tanh(8) = 2.3e-7 (and 8.0, 16.0 are VMOV immediates on Cortex-M)


def fit(m=M, n=N, c=C, iters=120):
    x = np.concatenate([np.linspace(0.0, c, 40001), np.linspace(0.0, 1.0, 4001)])
    x = np.unique(x)[1:]
    y = x * x
    t = np.tanh(x)
    # Unknowns p_0..p_m, q_0..q_{n-1}; q_n = 1.
    # x P(y) - t Q(y) = 0  ->  x P(y) - t (q_0 + ... + q_{n-1} y^{n-1}) = t y^n
    cols = [x * y**k for k in range(m + 1)] + [-t * y**k for k in range(n)]
    a = np.stack(cols, axis=1)
    rhs = t * y**n
    scale = np.abs(a).max(axis=0)
    a = a / scale
    q_prev = np.ones_like(x)
    lawson = np.ones_like(x) / len(x)
    best = None
    for it in range(iters):
        w = np.sqrt(lawson) / np.abs(q_prev)
        sol, *_ = np.linalg.lstsq(a * w[:, None], rhs * w, rcond=None)
        sol = sol / scale
        p = sol[: m + 1]
        q = np.concatenate([sol[m + 1 :], [1.0]])
        pv = np.polyval(p[::-1], y)
        qv = np.polyval(q[::-1], y)
        err = x * pv / qv - t
        e = np.abs(err).max()
        if best is None or e < best[0]:
            best = (e, p.copy(), q.copy())
        q_prev = qv
        if it >= 10:  # Lawson: raise the weights where the error is large
            lawson = lawson * np.abs(err) ** 0.5
            lawson /= lawson.sum()
    return best


def f32(v):
    return np.float32(v)


def tanh32(x, p, q, c):
    """src/math.rs `tanh`, operation by operation, in float32."""
    x = np.clip(x, f32(-c), f32(c)).astype(np.float32)
    y = x * x
    num = f32(p[-1])
    for k in range(len(p) - 2, -1, -1):
        num = num * y + f32(p[k])
    num = num * x
    den = y + f32(q[-2])
    for k in range(len(q) - 3, -1, -1):
        den = den * y + f32(q[k])
    return num / den


def sigmoid_coefficients(p, q):
    """sigmoid(x) - 0.5 = 0.5 tanh(x / 2) = x P'(x^2) / Q'(x^2), Q' monic: substituted from P, Q."""
    n = len(q) - 1
    ps = [64.0 * v * 4.0**-k for k, v in enumerate(p)]
    qs = [v * 4.0 ** (n - k) for k, v in enumerate(q)]
    return ps, qs


def sigmoid32(x, p, q, c):
    """src/math.rs `sigmoid`: 0.5 + x P'(x^2) / Q'(x^2), x clamped to [-2C, 2C], in float32."""
    return f32(0.5) + tanh32(x, p, q, 2 * c)


def all_f32_below(c, chunk=1 << 24, step=1):
    """Every non-negative float32 < c (or every `step`-th bit pattern), in chunks."""
    end = int(np.float32(c).view(np.uint32))
    for lo in range(0, end, chunk * step):
        bits = np.arange(lo, min(lo + chunk * step, end), step, dtype=np.uint32)
        yield bits.view(np.float32)


def verify(p, q, sp, sq, c, quick=False):
    step = 97 if quick else 1
    worst_t = (0.0, 0.0)
    for x in all_f32_below(c, step=step):
        e = np.abs(tanh32(x, p, q, c).astype(np.float64) - np.tanh(x.astype(np.float64)))
        i = int(e.argmax())
        if e[i] > worst_t[0]:
            worst_t = (float(e[i]), float(x[i]))
    tail = np.array([c, c * 1.0001, 9.0, 10.0, 100.0, 1e10, 3.4e38, np.inf], dtype=np.float32)
    e_tail = np.abs(tanh32(tail, p, q, c).astype(np.float64) - np.tanh(tail.astype(np.float64)))
    worst_t = max(worst_t, (float(e_tail.max()), float(tail[e_tail.argmax()])))
    top = float(tanh32(np.array([c], dtype=np.float32), p, q, c)[0])
    worst_s = (0.0, 0.0)
    for x in all_f32_below(2 * c, step=step):
        for xs in (x, -x):
            s = sigmoid32(xs, sp, sq, c)
            e = np.abs(s.astype(np.float64) - 1.0 / (1.0 + np.exp(-xs.astype(np.float64))))
            i = int(e.argmax())
            if e[i] > worst_s[0]:
                worst_s = (float(e[i]), float(xs[i]))
    with np.errstate(over="ignore"):
        tail = np.concatenate([2 * tail, -2 * tail]).astype(np.float32)
    with np.errstate(over="ignore"):
        ref = 1.0 / (1.0 + np.exp(-tail.astype(np.float64)))
    e_tail = np.abs(sigmoid32(tail, sp, sq, c).astype(np.float64) - ref)
    worst_s = max(worst_s, (float(e_tail.max()), float(tail[e_tail.argmax()])))
    return worst_t, worst_s, top


def main():
    quick = "--quick" in sys.argv
    e, p, q = fit()
    print(f"float64 fit: M={M} N={N} C={C}: max |error| {e:.3e}")
    p32 = [float(f32(v)) for v in p]
    q32 = [float(f32(v)) for v in q]
    print("// P (x^2), lowest degree first")
    for k, v in enumerate(p32):
        print(f"const P{k}: f32 = {np.format_float_scientific(f32(v), unique=True)};")
    print("// Q (x^2), lowest degree first; the leading coefficient is 1")
    for k, v in enumerate(q32[:-1]):
        print(f"const Q{k}: f32 = {np.format_float_scientific(f32(v), unique=True)};")
    sp, sq = sigmoid_coefficients(p, q)
    sp32 = [float(f32(v)) for v in sp]
    sq32 = [float(f32(v)) for v in sq]
    print("// sigmoid: P' (x^2), then Q' (x^2), lowest degree first")
    for k, v in enumerate(sp32):
        print(f"const SP{k}: f32 = {np.format_float_scientific(f32(v), unique=True)};")
    for k, v in enumerate(sq32[:-1]):
        print(f"const SQ{k}: f32 = {np.format_float_scientific(f32(v), unique=True)};")
    (et, xt), (es, xs), top = verify(p32, q32, sp32, sq32, C, quick)
    what = "every 97th f32" if quick else "every f32"
    print(f"{what}: max |tanh error| = {et:.3e} at x = {xt!r}; tanh(C) = {top!r}")
    print(f"{what}: max |sigmoid error| = {es:.3e} at x = {xs!r}")


if __name__ == "__main__":
    main()
