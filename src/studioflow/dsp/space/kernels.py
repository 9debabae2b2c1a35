"""numba kernels of the space processors: the feedback delay line and the feedback delay network.

Every kernel keeps its state in arrays the caller owns, so a signal processed in blocks of any size gives the same
output as processed whole. Parameter changes glide per sample with a one-pole smoother (no clicks, no zipper noise).
"""

from __future__ import annotations

import numpy as np
from numba import njit

# the delay's read head changes speed by at most this much while its time glides (0.5: at most an octave down,
# a fifth up), so time changes bend the pitch like tape instead of clicking
MAX_READ_SPEED_CHANGE = 0.5
FDN_LINES = 8  # lines of the reverb's feedback delay network (a power of two)
MOD_STEP = 256  # frames between exact values of a modulated line's delay (a power of two); linear in between


@njit(cache=True, nogil=True)
def _glide(values, current, target, smooth, max_step):
    """Fill ``values`` with a one-pole glide from ``current`` to ``target``, moving at most ``max_step`` a sample."""
    for n in range(values.shape[0]):
        if current != target:
            step = (1.0 - smooth) * (target - current)
            if step > max_step:
                step = max_step
            elif step < -max_step:
                step = -max_step
            current += step
            if abs(current - target) < 1e-9 * (1.0 + abs(target)):
                current = target
        values[n] = current
    return current


@njit(cache=True, nogil=True, inline="always")
def _loop_read(buf, c, w, d, mask, lp_a, hp_a, use_lp, use_hp, filt):
    """Read line ``c`` ``d`` samples back from write index ``w`` and run the feedback-path filters."""
    di = np.int64(d)
    frac = d - di
    r0 = (w - di) & mask
    y = buf[c, r0]
    if frac != 0.0:
        y = y + frac * (buf[c, (r0 - 1) & mask] - y)
    if use_lp:
        s = filt[c, 0] + lp_a * (y - filt[c, 0])
        filt[c, 0] = s
        y = s
    if use_hp:
        s = filt[c, 1] + hp_a * (y - filt[c, 1])
        filt[c, 1] = s
        y = y - s
    return y


@njit(cache=True, nogil=True)
def delay_kernel(x, out, buf, state, target, smooth, lp_a, hp_a, use_lp, use_hp, filt, ping_pong):
    """Feedback delay over ``x`` (channels, frames) into ``out``.

    ``buf`` (channels, 2**k) circular lines; ``state`` = [write index, delay samples, feedback, mix] (float64, the
    current smoothed values); ``target`` = the three targets; ``smooth`` the one-pole coefficient of their glide.
    ``filt`` (channels, 2) holds the one-pole low-pass and high-pass states of the feedback path
    (``lp_a``/``hp_a`` their coefficients). ``ping_pong`` crosses the two channels' feedback.
    """
    channels, frames = x.shape
    mask = buf.shape[1] - 1
    w0 = np.int64(state[0])
    if state[1] == target[0] and state[2] == target[1] and state[3] == target[2] and not ping_pong:
        # steady parameters: the common case, one tight loop per channel, filter states in registers
        di = np.int64(state[1])
        frac = state[1] - di
        fb = np.float32(state[2])
        wet = np.float32(state[3])
        dry = np.float32(1.0) - wet
        lpa = np.float32(lp_a)
        hpa = np.float32(hp_a)
        for c in range(channels):
            w = w0
            lp = np.float32(filt[c, 0])
            hp = np.float32(filt[c, 1])
            for n in range(frames):
                r0 = (w - di) & mask
                y = buf[c, r0]
                if frac != 0.0:
                    y = np.float32(y + frac * (buf[c, (r0 - 1) & mask] - y))
                if use_lp:
                    lp += lpa * (y - lp)
                    y = lp
                if use_hp:
                    hp += hpa * (y - hp)
                    y = y - hp
                xn = x[c, n]
                buf[c, w] = xn + fb * y
                out[c, n] = dry * xn + wet * y
                w = (w + 1) & mask
            filt[c, 0] = lp
            filt[c, 1] = hp
        state[0] = (w0 + frames) & mask
        return
    d = np.empty(frames)
    fb = np.empty(frames)
    mix = np.empty(frames)
    state[1] = _glide(d, state[1], target[0], smooth, MAX_READ_SPEED_CHANGE)
    state[2] = _glide(fb, state[2], target[1], smooth, 1.0)
    state[3] = _glide(mix, state[3], target[2], smooth, 1.0)
    if ping_pong:
        w = w0
        for n in range(frames):
            yl = _loop_read(buf, 0, w, d[n], mask, lp_a, hp_a, use_lp, use_hp, filt)
            yr = _loop_read(buf, 1, w, d[n], mask, lp_a, hp_a, use_lp, use_hp, filt)
            buf[0, w] = 0.5 * (x[0, n] + x[1, n]) + fb[n] * yr
            buf[1, w] = fb[n] * yl
            out[0, n] = (1.0 - mix[n]) * x[0, n] + mix[n] * yl
            out[1, n] = (1.0 - mix[n]) * x[1, n] + mix[n] * yr
            w = (w + 1) & mask
    else:
        for c in range(channels):
            w = w0
            for n in range(frames):
                y = _loop_read(buf, c, w, d[n], mask, lp_a, hp_a, use_lp, use_hp, filt)
                buf[c, w] = x[c, n] + fb[n] * y
                out[c, n] = (1.0 - mix[n]) * x[c, n] + mix[n] * y
                w = (w + 1) & mask
    state[0] = (w0 + frames) & mask


@njit(cache=True, nogil=True, inline="always")
def _ring_read(ring, start, dst, nb):
    """Copy ``nb`` frames of the circular ``ring`` from index ``start`` (any integer) into ``dst``.

    Loops index slices with the bare loop counter, which numba knows is not negative, so they vectorize.
    """
    size = ring.shape[0]
    r = start & (size - 1)
    first = min(nb, size - r)
    head = ring[r:r + first]
    for n in range(first):
        dst[n] = head[n]
    rest = dst[first:nb]
    for n in range(nb - first):
        rest[n] = ring[n]


@njit(cache=True, nogil=True, inline="always")
def _ring_write(ring, start, src, gain, add, add_gain, nb):
    """Write ``gain * src + add_gain * add`` (``nb`` frames) into the circular ``ring`` from index ``start``."""
    size = ring.shape[0]
    r = start & (size - 1)
    first = min(nb, size - r)
    head = ring[r:r + first]
    for n in range(first):
        head[n] = gain * src[n] + add_gain * add[n]
    src2 = src[first:nb]
    add2 = add[first:nb]
    for n in range(nb - first):
        ring[n] = gain * src2[n] + add_gain * add2[n]


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def _diffuse(rings, lengths, gain, w, x, nb, old, new):
    """Run ``x`` (``nb`` frames, in place) through Schroeder allpasses in series, ``(-g + z^-M) / (1 - g z^-M)``.

    ``rings`` (stages, 2**k) hold each allpass's internal signal, written from index ``w``; ``lengths`` their M.
    Stage by stage over pieces no longer than the shortest M, so each piece reads only frames written before it.
    ``old`` and ``new`` are scratch of ``nb`` frames.
    """
    piece = lengths.min()
    one = np.float32(1.0)
    for start in range(0, nb, piece):
        m = min(piece, nb - start)
        xs = x[start:]
        for k in range(rings.shape[0]):
            _ring_read(rings[k], w + start - lengths[k], old, m)
            for n in range(m):
                s = xs[n] + gain * old[n]
                new[n] = s
                xs[n] = old[n] - gain * s
            _ring_write(rings[k], w + start, new, one, new, np.float32(0.0), m)


@njit(cache=True, nogil=True)
def _delay_at(d0, slope, m):
    """A swinging line's delay (samples) ``m`` frames into its MOD_STEP segment.

    Compiled without fastmath, so every caller gets the same bits (no fused multiply-add in one place and not in
    another): the whole part of the delay, which decides the runs, never depends on where a block started.
    """
    return d0 + slope * m


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def _modulated_read(line, w, t0, length, depth, omega, phase, dst, nb, window):
    """Read ``nb`` frames of the circular ``line`` (write index ``w``) at a delay swinging around ``length``.

    The delay is ``length + depth * sin(omega * t + phase)`` samples at frame ``t`` of a clock counted from the
    stream's start (``t0`` at index 0 of ``dst``), taken exactly every MOD_STEP frames and linear in between, so it
    depends on ``t`` alone, never on where a block starts. Fractional delays are read with 4-point cubic Hermite
    interpolation. The frames are read in runs of one whole-sample delay, each copied into ``window`` (nb + 3) first,
    so the interpolation loop reads contiguous memory.
    """
    n = 0
    while n < nb:
        t = t0 + n
        base = t - (t & (MOD_STEP - 1))
        d0 = length + depth * np.sin(omega * base + phase)
        slope = (length + depth * np.sin(omega * (base + MOD_STEP) + phase) - d0) * (1.0 / MOD_STEP)
        seg_end = min(nb, n + base + MOD_STEP - t)
        off = t0 - base  # frame k of the chunk is frame k + off of the segment
        while n < seg_end:
            # a run: the frames whose delay has frame n's whole part (the delay is monotone within a segment)
            di = np.int64(_delay_at(d0, slope, n + off))
            end = seg_end
            if np.int64(_delay_at(d0, slope, end - 1 + off)) != di:
                lo, hi = n, end - 1
                while hi - lo > 1:
                    mid = (lo + hi) >> 1
                    if np.int64(_delay_at(d0, slope, mid + off)) == di:
                        lo = mid
                    else:
                        hi = mid
                end = hi
            count = end - n
            _ring_read(line, w + n - di - 2, window, count + 3)
            out = dst[n:end]
            # the fraction in float32, a function of the frame's place in its segment alone
            frac0 = np.float32(d0 - di)
            step = np.float32(slope)
            first = n + off
            for k in range(count):
                x = frac0 + step * np.float32(first + k)
                y2 = window[k]
                y1 = window[k + 1]
                y0 = window[k + 2]
                ym1 = window[k + 3]
                c1 = np.float32(0.5) * (y1 - ym1)
                c2 = ym1 - np.float32(2.5) * y0 + np.float32(2.0) * y1 - np.float32(0.5) * y2
                c3 = np.float32(0.5) * (y2 - ym1) + np.float32(1.5) * (y0 - y1)
                out[k] = ((c3 * x + c2) * x + c1) * x + y0
            n = end


@njit(cache=True, nogil=True, fastmath=True)
def fdn_kernel(x, out, lines, lengths, pos, in_gain, b0, b1, a1, zs, pre, pre_len,
               out_l, out_r, state, target, smooth, work, diff, diff_len, diff_gain, mod):
    """Feedback delay network (Jot & Chaigne 1991) over stereo ``x`` (2, frames) into ``out`` (2, frames).

    ``lines`` (N, 2**k) delay lines with ``lengths`` (samples); N = FDN_LINES mixed by a normalised Hadamard matrix
    (fast Walsh-Hadamard transform). Each line ends in a first-order absorption shelf ``(b0 + b1 z^-1) / (1 + a1
    z^-1)`` with state ``zs``; ``pre`` (2, 2**j) is the pre-delay line of ``pre_len`` samples. ``diff`` (2, stages,
    2**m) are the input diffusers of each channel (allpasses of ``diff_len`` (2, stages) samples, gain
    ``diff_gain``; 0 leaves them out). ``mod`` (N, 3) swings each line's length: depth (samples, 0 keeps the line
    static), angular rate (radians a sample), phase. ``state`` = [mix, width] current values (glide to ``target``
    with ``smooth``); ``pos`` = [write index, pre-delay write index, frames since the pre-delayed input's start,
    diffuser write index].
    The network runs in chunks no longer than its shortest line less its swing, so every read comes from frames
    already written: the result does not depend on the chunking. ``work`` (N + 5, chunk + 3) is scratch.
    """
    n_lines = FDN_LINES
    mask = lines.shape[1] - 1
    pmask = pre.shape[1] - 1
    frames = x.shape[1]
    chunk = work.shape[1] - 3
    norm = np.float32(1.0 / np.sqrt(n_lines))
    w = pos[0]
    pw = pos[1]
    t = pos[2]
    dw = pos[3]
    mix = state[0]
    width = state[1]
    v = work[:n_lines]
    il = work[n_lines]
    ir = work[n_lines + 1]
    yl = work[n_lines + 2]
    yr = work[n_lines + 3]
    window = work[n_lines + 4]
    start = 0
    while start < frames:
        nb = min(chunk, frames - start)
        # pre-delay: write the chunk, read it back pre_len frames later
        one = np.float32(1.0)
        zero = np.float32(0.0)
        _ring_write(pre[0], pw, x[0, start:], one, x[0, start:], zero, nb)
        _ring_write(pre[1], pw, x[1, start:], one, x[1, start:], zero, nb)
        _ring_read(pre[0], pw - pre_len, il, nb)
        _ring_read(pre[1], pw - pre_len, ir, nb)
        pw = (pw + nb) & pmask
        if diff_gain != 0.0:
            _diffuse(diff[0], diff_len[0], diff_gain, dw, il, nb, yl, yr)
            _diffuse(diff[1], diff_len[1], diff_gain, dw, ir, nb, yl, yr)
            dw = (dw + nb) & (diff.shape[2] - 1)
        # line outputs
        for i in range(n_lines):
            if mod[i, 0] == 0.0:
                _ring_read(lines[i], w - lengths[i], v[i], nb)
            else:
                _modulated_read(lines[i], w, t, lengths[i], mod[i, 0], mod[i, 1], mod[i, 2], v[i], nb, window)
        t += nb
        # absorption shelves: the lines' recursions interleaved
        for n in range(nb):
            for i in range(n_lines):
                y = v[i, n]
                s = b0[i] * y + zs[i]
                zs[i] = b1[i] * y - a1[i] * s
                v[i, n] = s
        # stereo taps
        for n in range(nb):
            yl[n] = 0.0
            yr[n] = 0.0
        for i in range(n_lines):
            gl = out_l[i]
            gr = out_r[i]
            for n in range(nb):
                yl[n] += gl * v[i, n]
                yr[n] += gr * v[i, n]
        # Hadamard mixing (fast Walsh-Hadamard transform)
        h = 1
        while h < n_lines:
            for i in range(0, n_lines, 2 * h):
                for j in range(i, i + h):
                    for n in range(nb):
                        a = v[j, n]
                        b = v[j + h, n]
                        v[j, n] = a + b
                        v[j + h, n] = a - b
            h *= 2
        # feed back, with the input
        for i in range(n_lines):
            _ring_write(lines[i], w, v[i], norm, il if (i & 1) == 0 else ir, in_gain[i], nb)
        w = (w + nb) & mask
        # width and dry/wet, gliding per frame
        for n in range(nb):
            if mix != target[0] or width != target[1]:
                mix = target[0] + smooth * (mix - target[0])
                width = target[1] + smooth * (width - target[1])
                if abs(mix - target[0]) < 1e-9 and abs(width - target[1]) < 1e-9:
                    mix = target[0]
                    width = target[1]
            mid = 0.5 * (yl[n] + yr[n])
            side = 0.5 * (yl[n] - yr[n]) * width
            out[0, start + n] = (1.0 - mix) * x[0, start + n] + mix * (mid + side)
            out[1, start + n] = (1.0 - mix) * x[1, start + n] + mix * (mid - side)
        start += nb
    pos[0] = w
    pos[1] = pw
    pos[2] = t
    pos[3] = dw
    state[0] = mix
    state[1] = width
