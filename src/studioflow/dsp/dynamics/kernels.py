"""Numba kernels of the dynamics processors: per-sample recursion (envelopes, gain smoothing, lookahead minimum).

Every kernel takes its state as arrays that it updates in place, so a signal processed in blocks of any size gives
bit-identical output to the signal processed whole. ``fastmath`` is off everywhere: no reassociation, so the order of
every floating-point operation is fixed. The compressor and limiter work in chunks of ``CHUNK`` frames: the recursive
part of a chunk is a scalar loop, the rest (level to dB, dB to gain, the oversampling FIR, applying the gain) are plain
elementwise loops that LLVM vectorises.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

CHUNK = 512
DB_PER_OCTAVE = 20.0 * math.log10(2.0)  # 6.0206 dB per doubling
_SQRT2 = math.sqrt(2.0)
_ONE_BITS = 0x3FF0000000000000
_MANTISSA = 0x000FFFFFFFFFFFFF
# log2(m) = 2/ln2 * atanh(t), t = (m-1)/(m+1), |t| <= 3 - 2*sqrt(2) = 0.1716: odd series to t^9 (error < 1e-9)
_L1 = 2.0 / math.log(2.0)
_L3 = _L1 / 3.0
_L5 = _L1 / 5.0
_L7 = _L1 / 7.0
_L9 = _L1 / 9.0
_LN2 = math.log(2.0)


@njit(cache=True, nogil=True, error_model="numpy")
def log2_array(x: np.ndarray, out: np.ndarray, ibuf: np.ndarray, n: int) -> None:
    """out[:n] = log2(x[:n]) for positive finite float64 ``x`` (relative error < 1e-9), vectorisable."""
    bits = x.view(np.int64)
    for i in range(n):
        ibuf[i] = (bits[i] & _MANTISSA) | _ONE_BITS
    mant = ibuf.view(np.float64)
    for i in range(n):
        e = float(((bits[i] >> 52) & 0x7FF) - 1023)
        m = mant[i]
        big = m > _SQRT2
        m = m * 0.5 if big else m
        e = e + 1.0 if big else e
        t = (m - 1.0) / (m + 1.0)
        t2 = t * t
        out[i] = e + t * (_L1 + t2 * (_L3 + t2 * (_L5 + t2 * (_L7 + t2 * _L9))))


@njit(cache=True, nogil=True, error_model="numpy")
def exp2_array(y: np.ndarray, out: np.ndarray, ibuf: np.ndarray, n: int) -> None:
    """out[:n] = 2 ** y[:n] for float64 ``y`` >= -1000 (relative error < 1e-11), vectorisable."""
    for i in range(n):
        k = math.floor(y[i] + 0.5)
        k = max(k, -1000.0)
        ibuf[i] = (np.int64(k) + 1023) << 52
        out[i] = (y[i] - k) * _LN2
    scale = ibuf.view(np.float64)
    for i in range(n):
        u = out[i]
        p = 1.0 + u * (1.0 + u * (1.0 / 2 + u * (1.0 / 6 + u * (1.0 / 24 + u * (1.0 / 120 + u * (
            1.0 / 720 + u * (1.0 / 5040 + u * (1.0 / 40320 + u * (1.0 / 362880)))))))))
        out[i] = p * scale[i]


@njit(cache=True, nogil=True, error_model="numpy")
def smooth_params(cur: np.ndarray, tgt: np.ndarray, coef: float, snap: np.ndarray, prm: np.ndarray, n: int) -> None:
    """Per-sample one-pole glide of each parameter ``cur[k]`` towards ``tgt[k]`` into ``prm[k, :n]``.

    A parameter within ``snap[k]`` of its target lands on it exactly, so a settled parameter is a constant.
    """
    for k in range(cur.size):
        if cur[k] == tgt[k]:
            prm[k, :n] = cur[k]
            continue
        c = cur[k]
        t = tgt[k]
        for i in range(n):
            c = t + coef * (c - t)
            if abs(c - t) < snap[k]:
                c = t
            prm[k, i] = c
        cur[k] = c


# compressor ------------------------------------------------------------------------------------------------
# prm rows: 0 threshold dB, 1 slope (1 - 1/ratio), 2 makeup dB, 3 mix (0..1)

@njit(cache=True, nogil=True, error_model="numpy")
def _smooth_one(red, ys, m, y, att, rel):
    """Branching attack/release one-pole over red[:m] into ys[:m] from state y; returns the new state."""
    for i in range(m):
        r = red[i]
        a = att if r > y else rel
        y = r + a * (y - r)
        ys[i] = y
    return y


@njit(cache=True, nogil=True, error_model="numpy")
def _smooth_two(red0, red1, ys0, ys1, m, y0, y1, att, rel):
    """``_smooth_one`` on two independent paths in one loop (two dependency chains in flight); same arithmetic."""
    for i in range(m):
        r0 = red0[i]
        r1 = red1[i]
        a0 = att if r0 > y0 else rel
        a1 = att if r1 > y1 else rel
        y0 = r0 + a0 * (y0 - r0)
        y1 = r1 + a1 * (y1 - r1)
        ys0[i] = y0
        ys1[i] = y1
    return y0, y1


@njit(cache=True, nogil=True, error_model="numpy")
def _smooth_auto(red, ys, m, y, sl, att, rel, rel_slow, slow_coef):
    """Auto release: the release coefficient slides from ``rel`` towards ``rel_slow`` as the 1-second average ``sl``
    of the reduction approaches the reduction itself (sustained compression releases slower)."""
    for i in range(m):
        r = red[i]
        w = min(sl / y, 1.0) if y > 1e-9 else 1.0
        a = rel + w * (rel_slow - rel)
        a = att if r > y else a
        y = r + a * (y - r)
        sl = y + slow_coef * (sl - y)
        ys[i] = y
    return y, sl


@njit(cache=True, nogil=True, error_model="numpy")
def _smooth_auto_two(red0, red1, ys0, ys1, m, y0, y1, s0, s1, att, rel, rel_slow, slow_coef):
    """``_smooth_auto`` on two independent paths in one loop; same arithmetic."""
    for i in range(m):
        r0 = red0[i]
        r1 = red1[i]
        w0 = min(s0 / y0, 1.0) if y0 > 1e-9 else 1.0
        w1 = min(s1 / y1, 1.0) if y1 > 1e-9 else 1.0
        a0 = rel + w0 * (rel_slow - rel)
        a1 = rel + w1 * (rel_slow - rel)
        a0 = att if r0 > y0 else a0
        a1 = att if r1 > y1 else a1
        y0 = r0 + a0 * (y0 - r0)
        y1 = r1 + a1 * (y1 - r1)
        s0 = y0 + slow_coef * (s0 - y0)
        s1 = y1 + slow_coef * (s1 - y1)
        ys0[i] = y0
        ys1[i] = y1
    return y0, y1, s0, s1


@njit(cache=True, nogil=True, error_model="numpy")
def _smooth_paths(red, ys, m, env, slow, att, rel, rel_slow, slow_coef, auto_release):
    """Smooth every path's reduction red[p, :m] into ys[p, :m], state env/slow (P,) updated; pairs run together."""
    P = env.size
    p = 0
    while p + 1 < P:
        if auto_release:
            env[p], env[p + 1], slow[p], slow[p + 1] = _smooth_auto_two(
                red[p], red[p + 1], ys[p], ys[p + 1], m, env[p], env[p + 1], slow[p], slow[p + 1],
                att, rel, rel_slow, slow_coef)
        else:
            env[p], env[p + 1] = _smooth_two(red[p], red[p + 1], ys[p], ys[p + 1], m, env[p], env[p + 1], att, rel)
        p += 2
    if p < P:
        if auto_release:
            env[p], slow[p] = _smooth_auto(red[p], ys[p], m, env[p], slow[p], att, rel, rel_slow, slow_coef)
        else:
            env[p] = _smooth_one(red[p], ys[p], m, env[p], att, rel)


@njit(cache=True, nogil=True, error_model="numpy")
def compressor_kernel(x, sc, out, gr, cur, tgt, param_coef, snap, knee_db, link, rms_coef, att, rel, rel_slow,
                      slow_coef, auto_release, max_reduction_db, ms, env, slow):
    """Feed-forward compressor (Giannoulis, Massberg & Reiss, JAES 2012): soft-knee static curve in dB, branching
    attack/release smoothing of the gain reduction in dB, dry/wet mix.

    x (C, n) float32 audio (already delayed by the lookahead), sc (S, n) float32 detector input (S is C or 1),
    out (C, n) float32, gr (P, n) float32 gain reduction in dB >= 0 per detector path (P is 1 when linked).
    State: cur params (4,), ms (S,) mean square (RMS detection when rms_coef > 0),
    env (P,) smoothed reduction dB, slow (P,) its 1-second average (auto release).
    Per chunk, every stage is one pass over the frames; the recursive smoothing runs the paths two at a time.
    """
    C, n = x.shape
    S = sc.shape[0]
    P = env.size
    prm = np.empty((4, CHUNK))
    lvl = np.empty((S, CHUNK))
    top = np.empty(CHUNK)
    det = np.empty((P, CHUNK))
    red = np.empty((P, CHUNK))
    ys = np.empty((P, CHUNK))
    ibuf = np.empty(CHUNK, dtype=np.int64)
    half = 0.5 * knee_db
    two_knee = 2.0 * knee_db
    for start in range(0, n, CHUNK):
        m = min(CHUNK, n - start)
        smooth_params(cur, tgt, param_coef, snap, prm, m)
        thr = prm[0]
        slope = prm[1]
        makeup = prm[2]
        wet = prm[3]
        # level per sidechain channel (linear): peak |x| or one-pole mean square; top = the loudest channel
        for s in range(S):
            src = sc[s, start:start + m]
            ls = lvl[s]
            if rms_coef > 0.0:
                acc = ms[s]
                for i in range(m):
                    v = float(src[i])
                    acc = v * v + rms_coef * (acc - v * v)
                    ls[i] = acc
                ms[s] = acc
                for i in range(m):
                    ls[i] = math.sqrt(ls[i])
            else:
                for i in range(m):
                    ls[i] = abs(float(src[i]))
            if s == 0:
                top[:m] = ls[:m]
            else:
                for i in range(m):
                    top[i] = max(top[i], ls[i])
        for p in range(P):
            # stereo link: blend of the loudest channel and this channel's own level
            d = det[p]
            if P == 1:
                for i in range(m):
                    d[i] = max(top[i], 1e-30)
            else:
                lp = lvl[p]
                for i in range(m):
                    d[i] = max(link * top[i] + (1.0 - link) * lp[i], 1e-30)
            rp = red[p]
            log2_array(d, rp, ibuf, m)
            # static curve: reduction = slope * (z^2 / 2W + max(over - W/2, 0)), z = clamp(over + W/2, 0, W)
            if knee_db > 0.0:
                for i in range(m):
                    over = DB_PER_OCTAVE * rp[i] - thr[i]
                    z = min(max(over + half, 0.0), knee_db)
                    r = slope[i] * (z * z / two_knee + max(over - half, 0.0))
                    rp[i] = min(r, max_reduction_db)
            else:
                for i in range(m):
                    r = slope[i] * max(DB_PER_OCTAVE * rp[i] - thr[i], 0.0)
                    rp[i] = min(r, max_reduction_db)
        # branching attack/release smoothing in dB (the recursion)
        _smooth_paths(red, ys, m, env, slow, att, rel, rel_slow, slow_coef, auto_release)
        for p in range(P):
            yp = ys[p]
            d = det[p]
            g = gr[p, start:start + m]
            for i in range(m):
                g[i] = yp[i]
                d[i] = (makeup[i] - yp[i]) / DB_PER_OCTAVE
            rp = red[p]
            exp2_array(d, rp, ibuf, m)
            for i in range(m):
                rp[i] = wet[i] * rp[i] + (1.0 - wet[i])
        for c in range(C):
            gain = red[c if P > 1 else 0]
            src = x[c, start:start + m]
            dst = out[c, start:start + m]
            for i in range(m):
                dst[i] = np.float32(src[i] * gain[i])


# gate / expander ---------------------------------------------------------------------------------------------

@njit(cache=True, nogil=True, error_model="numpy")
def gate_kernel(x, sc, out, gr, open_db, close_db, ratio, range_db, det_rel, att, rel, hold, state):
    """Downward expander / gate with hysteresis and hold, linked over channels; gain smoothed in dB.

    state: [detector level (linear), gain dB (<= 0), open flag, hold samples left]. gr (1, n) reduction dB >= 0.
    """
    C, n = x.shape
    S = sc.shape[0]
    e, g, is_open, left = state[0], state[1], state[2], state[3]
    for i in range(n):
        v = 0.0
        for s in range(S):
            v = max(v, abs(float(sc[s, i])))
        e = v if v > e else v + det_rel * (e - v)
        level = 20.0 * math.log10(max(e, 1e-30))
        if level >= open_db:
            is_open = 1.0
            left = hold
        elif level < close_db:
            if left > 0.0:
                left -= 1.0
            else:
                is_open = 0.0
        if is_open > 0.0:
            target = 0.0
        else:
            target = -min(range_db, (ratio - 1.0) * max(open_db - level, 0.0))
        a = att if target > g else rel
        g = target + a * (g - target)
        gr[0, i] = -g
        k = 10.0 ** (g / 20.0)
        for c in range(C):
            out[c, i] = np.float32(x[c, i] * k)
    state[0], state[1], state[2], state[3] = e, g, is_open, left


# transient shaper ----------------------------------------------------------------------------------------------

@njit(cache=True, nogil=True, error_model="numpy")
def transient_kernel(x, out, coefs, sens_db, cur, tgt, param_coef, env):
    """Differential-envelope transient shaper, linked over channels.

    The level (dB of a one-pole mean square, coefs[0]) is followed by a fast and a slow one-pole (coefs[1], coefs[2]).
    Their difference in dB, divided by ``sens_db`` and clamped to 0..1, is the attack weight when the fast one leads
    (an onset) and the sustain weight when it trails (a decay); a steady tone gives neither.
    gain dB = attack_db * w_attack + sustain_db * w_sustain (cur/tgt: the two gains, glided per sample).
    env: [mean square, fast dB, slow dB].
    """
    C, n = x.shape
    ms, fast, slow = env[0], env[1], env[2]
    for i in range(n):
        v = 0.0
        for c in range(C):
            s = float(x[c, i])
            v = max(v, s * s)
        ms = v + coefs[0] * (ms - v)
        level = 10.0 * math.log10(max(ms, 1e-20))
        fast = level + coefs[1] * (fast - level)
        slow = level + coefs[2] * (slow - level)
        for k in range(2):
            cur[k] = tgt[k] + param_coef * (cur[k] - tgt[k])
            if abs(cur[k] - tgt[k]) < 1e-6:
                cur[k] = tgt[k]
        d = (fast - slow) / sens_db
        wa = min(max(d, 0.0), 1.0)
        ws = min(max(-d, 0.0), 1.0)
        k = 10.0 ** ((cur[0] * wa + cur[1] * ws) / 20.0)
        for c in range(C):
            out[c, i] = np.float32(x[c, i] * k)
    env[0], env[1], env[2] = ms, fast, slow


# true-peak limiter -----------------------------------------------------------------------------------------------

SKIP = 64  # frames per piece of the limiter's interpolator skip test


@njit(cache=True, nogil=True, error_model="numpy")
def _abs_max(x):
    """max |x| of a float32 array, as float64 (four running maxima: max is exact in any order)."""
    t0 = t1 = t2 = t3 = np.float32(0.0)
    n = x.size
    e4 = n // 4 * 4
    for i in range(0, e4, 4):
        t0 = max(t0, abs(x[i]))
        t1 = max(t1, abs(x[i + 1]))
        t2 = max(t2, abs(x[i + 2]))
        t3 = max(t3, abs(x[i + 3]))
    for i in range(e4, n):
        t0 = max(t0, abs(x[i]))
    return float(max(max(t0, t1), max(t2, t3)))


@njit(cache=True, nogil=True, error_model="numpy")
def _interpolated_peaks(xs, phases, acc, pk, m):
    """pk[:m] = max(pk, |phase k output|) over the K-1 phases; output i sums phases[k, j] * xs[T - j + i], j = 0..T-1.

    Every phase sums its taps in order j = 0..T-1 in float32, four taps per pass over its accumulator.
    """
    K1, T = phases.shape
    acc[:, :m] = 0.0
    j0 = 0
    while j0 + 4 <= T:
        s0 = xs[T - j0:T - j0 + m]
        s1 = xs[T - j0 - 1:T - j0 - 1 + m]
        s2 = xs[T - j0 - 2:T - j0 - 2 + m]
        s3 = xs[T - j0 - 3:T - j0 - 3 + m]
        for k in range(K1):
            h0 = phases[k, j0]
            h1 = phases[k, j0 + 1]
            h2 = phases[k, j0 + 2]
            h3 = phases[k, j0 + 3]
            a = acc[k]
            for i in range(m):
                a[i] = (((a[i] + h0 * s0[i]) + h1 * s1[i]) + h2 * s2[i]) + h3 * s3[i]
        j0 += 4
    for j in range(j0, T):
        src = xs[T - j:T - j + m]
        for k in range(K1):
            h = phases[k, j]
            a = acc[k]
            for i in range(m):
                a[i] = a[i] + h * src[i]
    for k in range(K1):
        a = acc[k]
        for i in range(m):
            pk[i] = max(pk[i], abs(a[i]))


@njit(cache=True, nogil=True, error_model="numpy")
def limiter_kernel(x, out, gain_out, phases, bound, hist, delay, ceiling, margin, rel, fstate, istate, seg, suf, box):
    """Lookahead true-peak limiter, one gain for all channels.

    phases (K-1, T) float32: the non-trivial phases of a K-times polyphase interpolator whose phase 0 is the input
    delayed by T//2; bound >= the largest sum of |taps| of a phase. hist (C, T) float32: the last T input frames.
    delay (C, T//2 + W - 1) float32: the audio delay line.
    Per frame: true-peak estimate = max over channels of |x| and the K-1 interpolated values (two adjacent intervals);
    required gain = min(1, ceiling / (peak * margin)); then a sliding minimum over W frames, an exponential release,
    and a moving average over the same W frames. Each averaged value is a mean of minima that all include the
    required gain of the frame leaving the delay line, so the gain never exceeds it.
    Sliding minimum (van Herk 1992; Gil & Werman 1993), branch-free: time is cut into segments of W frames (q = frame
    index mod W); the minimum over frames t-W+1..t is min(suffix minimum of the previous segment from q+1, prefix
    minimum of the current segment up to q). seg (W,) holds the current segment's required gains, suf (W+1,) the
    previous segment's suffix minima (suf[W] = 1, the largest required gain; all ones before the first segment).
    fstate: [previous peak, release state, box sum, prefix minimum]; istate: [q, the box position].
    """
    C, n = x.shape
    K1, T = phases.shape
    D = T // 2
    W = box.size
    L = delay.shape[1]
    pk = np.empty(CHUNK, dtype=np.float32)
    acc = np.empty((K1, CHUNK), dtype=np.float32)
    xx = np.empty(CHUNK + T, dtype=np.float32)
    g = np.empty(CHUNK)
    need = np.empty(CHUNK)
    prev, r, total, f = fstate[0], fstate[1], fstate[2], fstate[3]
    pos = istate[0]
    for start in range(0, n, CHUNK):
        m = min(CHUNK, n - start)
        pk[:m] = 0.0
        for c in range(C):
            xx[:T] = hist[c]
            xx[T:T + m] = x[c, start:start + m]
            hist[c] = xx[m:m + T]
            src = xx[T - D:T - D + m]
            for i in range(m):
                pk[i] = max(pk[i], abs(src[i]))
            # the interpolator runs per piece of SKIP frames, skipped where no interpolated value can reach the
            # ceiling: |y| <= bound * max|x| over the piece's span. The skipped values could only have set a required
            # gain of 1 (and never the larger peak of two adjacent frames), which the plain samples give too.
            for b0 in range(0, m, SKIP):
                b1 = min(b0 + SKIP, m)
                xs = xx[b0:b1 + T]
                if _abs_max(xs) * bound * margin <= ceiling:
                    continue
                _interpolated_peaks(xs, phases, acc, pk[b0:b1], b1 - b0)
        # required gain of each frame: the peak over this frame and the previous one (two adjacent intervals)
        for i in range(m):
            p = float(pk[i])
            both = max(p, prev)
            prev = p
            need[i] = ceiling / (both * margin) if both * margin > ceiling else 1.0
        # sliding minimum, release and moving average, one segment piece at a time (no boundary test per frame)
        i = 0
        while i < m:
            q0 = pos
            k = min(m - i, W - q0)
            for j in range(k):
                q = q0 + j
                v = need[i + j]
                seg[q] = v
                f = min(f, v)
                low = min(suf[q + 1], f)
                r = low if low < r else low + rel * (r - low)
                total += r - box[q]
                box[q] = r
                g[i + j] = total
            i += k
            pos = q0 + k
            if pos == W:
                # segment complete: exact box sum again, this segment's suffix minima, a fresh prefix minimum
                pos = 0
                total = 0.0
                for j in range(W):
                    total += box[j]
                g[i - 1] = total
                low = seg[W - 1]
                suf[W - 1] = low
                for j in range(W - 2, -1, -1):
                    low = min(seg[j], low)
                    suf[j] = low
                f = 1.0
        for i in range(m):
            g[i] = min(g[i] / W, 1.0)
            gain_out[start + i] = g[i]
        for c in range(C):
            dst = out[c, start:start + m]
            head_n = min(m, L)
            src = delay[c, :head_n]
            for i in range(head_n):
                dst[i] = np.float32(src[i] * g[i])
            if m > L:
                src = x[c, start:start + m - L]
                gt = g[L:m]
                dt = dst[L:]
                for i in range(m - L):
                    dt[i] = np.float32(src[i] * gt[i])
            if m >= L:
                delay[c] = x[c, start + m - L:start + m]
            else:
                delay[c, :L - m] = delay[c, m:].copy()
                delay[c, L - m:] = x[c, start:start + m]
    fstate[0], fstate[1], fstate[2], fstate[3] = prev, r, total, f
    istate[0] = pos
