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
def compressor_kernel(x, sc, out, gr, cur, tgt, param_coef, snap, knee_db, link, rms_coef, att, rel, rel_slow,
                      slow_coef, auto_release, max_reduction_db, ms, env, slow):
    """Feed-forward compressor (Giannoulis, Massberg & Reiss, JAES 2012): soft-knee static curve in dB, branching
    attack/release smoothing of the gain reduction in dB, dry/wet mix.

    x (C, n) float32 audio (already delayed by the lookahead), sc (S, n) float32 detector input (S is C or 1),
    out (C, n) float32, gr (P, n) float32 gain reduction in dB >= 0 per detector path (P is 1 when linked).
    State: cur params (4,), ms (S,) mean square (RMS detection when rms_coef > 0), env (P,) smoothed reduction dB,
    slow (P,) its 1-second average (auto release).
    """
    C, n = x.shape
    S = sc.shape[0]
    P = gr.shape[0]
    prm = np.empty((4, CHUNK))
    lvl = np.empty((S, CHUNK))
    top = np.empty(CHUNK)
    det = np.empty(CHUNK)
    red = np.empty(CHUNK)
    ys = np.empty(CHUNK)
    gain = np.empty((P, CHUNK))
    ibuf = np.empty(CHUNK, dtype=np.int64)
    half = 0.5 * knee_db
    for start in range(0, n, CHUNK):
        m = min(CHUNK, n - start)
        smooth_params(cur, tgt, param_coef, snap, prm, m)
        # level per sidechain channel (linear): peak |x| or one-pole mean square
        for s in range(S):
            if rms_coef > 0.0:
                acc = ms[s]
                for i in range(m):
                    v = float(sc[s, start + i])
                    acc = v * v + rms_coef * (acc - v * v)
                    lvl[s, i] = acc
                ms[s] = acc
                for i in range(m):
                    lvl[s, i] = math.sqrt(lvl[s, i])
            else:
                for i in range(m):
                    lvl[s, i] = abs(float(sc[s, start + i]))
        top[:m] = lvl[0, :m]
        for s in range(1, S):
            for i in range(m):
                top[i] = max(top[i], lvl[s, i])
        for p in range(P):
            # stereo link: blend of the loudest channel and this channel's own level
            if P == 1:
                for i in range(m):
                    det[i] = max(top[i], 1e-30)
            else:
                for i in range(m):
                    det[i] = max(link * top[i] + (1.0 - link) * lvl[p, i], 1e-30)
            log2_array(det, red, ibuf, m)
            # static curve: reduction = slope * (z^2 / 2W + max(over - W/2, 0)), z = clamp(over + W/2, 0, W)
            if knee_db > 0.0:
                for i in range(m):
                    over = DB_PER_OCTAVE * red[i] - prm[0, i]
                    z = min(max(over + half, 0.0), knee_db)
                    r = prm[1, i] * (z * z / (2.0 * knee_db) + max(over - half, 0.0))
                    red[i] = min(r, max_reduction_db)
            else:
                for i in range(m):
                    r = prm[1, i] * max(DB_PER_OCTAVE * red[i] - prm[0, i], 0.0)
                    red[i] = min(r, max_reduction_db)
            # branching attack/release smoothing in dB (the recursion)
            y = env[p]
            if auto_release:
                sl = slow[p]
                for i in range(m):
                    r = red[i]
                    w = min(sl / y, 1.0) if y > 1e-9 else 1.0
                    a = rel + w * (rel_slow - rel)
                    a = att if r > y else a
                    y = r + a * (y - r)
                    sl = y + slow_coef * (sl - y)
                    ys[i] = y
                slow[p] = sl
            else:
                for i in range(m):
                    r = red[i]
                    a = att if r > y else rel
                    y = r + a * (y - r)
                    ys[i] = y
            env[p] = y
            for i in range(m):
                gr[p, start + i] = ys[i]
                det[i] = (prm[2, i] - ys[i]) / DB_PER_OCTAVE
            exp2_array(det, red, ibuf, m)
            for i in range(m):
                gain[p, i] = prm[3, i] * red[i] + (1.0 - prm[3, i])
        for c in range(C):
            p = c if P > 1 else 0
            for i in range(m):
                out[c, start + i] = np.float32(x[c, start + i] * gain[p, i])


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

@njit(cache=True, nogil=True, error_model="numpy")
def limiter_kernel(x, out, gain_out, phases, bound, hist, delay, ceiling, margin, rel, fstate, istate, mins, mins_t,
                   box):
    """Lookahead true-peak limiter, one gain for all channels.

    phases (K-1, T) float32: the non-trivial phases of a K-times polyphase interpolator whose phase 0 is the input
    delayed by T//2; bound >= the largest sum of |taps| of a phase. hist (C, T) float32: the last T input frames. delay (C, T//2 + W - 1) float32: the audio delay line.
    Per frame: true-peak estimate = max over channels of |x| and the K-1 interpolated values (two adjacent intervals);
    required gain = min(1, ceiling / (peak * margin)); then a sliding minimum over W frames (monotonic deque: mins,
    mins_t), an exponential release, and a moving average over the same W frames. Each averaged value is a mean of
    minima that all include the required gain of the frame leaving the delay line, so the gain never exceeds it.
    fstate: [previous peak, release state, box sum]; istate: [frame counter, deque head, deque count, box position].
    """
    C, n = x.shape
    K1, T = phases.shape
    D = T // 2
    W = box.size
    L = delay.shape[1]
    pk = np.empty(CHUNK, dtype=np.float32)
    acc = np.empty(CHUNK, dtype=np.float32)
    xx = np.empty(CHUNK + T, dtype=np.float32)
    g = np.empty(CHUNK)
    prev, r, total = fstate[0], fstate[1], fstate[2]
    t, head, count, pos = istate[0], istate[1], istate[2], istate[3]
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
            # skip the interpolator where no interpolated value can reach the ceiling: |y| <= bound * max|x|.
            # The skipped values could only have set a required gain of 1, which the plain samples give too.
            top = 0.0
            for i in range(m + T):
                top = max(top, abs(float(xx[i])))
            if top * bound * margin <= ceiling:
                continue
            for k in range(K1):
                acc[:m] = 0.0
                for j in range(T):
                    h = phases[k, j]
                    src = xx[T - j:T - j + m]
                    for i in range(m):
                        acc[i] = acc[i] + h * src[i]
                for i in range(m):
                    pk[i] = max(pk[i], abs(acc[i]))
        for i in range(m):
            p = float(pk[i])
            both = max(p, prev)
            prev = p
            need = 1.0
            if both * margin > ceiling:
                need = ceiling / (both * margin)
            # sliding minimum over the last W required gains: expire the front, drop larger ones at the back, push
            if count > 0 and mins_t[head] <= t - W:
                head = (head + 1) % W
                count -= 1
            while count > 0 and mins[(head + count - 1) % W] >= need:
                count -= 1
            mins[(head + count) % W] = need
            mins_t[(head + count) % W] = t
            count += 1
            low = mins[head]
            t += 1
            r = low if low < r else low + rel * (r - low)
            total += r - box[pos]
            box[pos] = r
            pos += 1
            if pos == W:
                pos = 0
                total = 0.0
                for j in range(W):
                    total += box[j]
            g[i] = min(total / W, 1.0)
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
    fstate[0], fstate[1], fstate[2] = prev, r, total
    istate[0], istate[1], istate[2], istate[3] = t, head, count, pos
