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


@njit(cache=True, nogil=True, fastmath=True)
def fdn_kernel(x, out, lines, lengths, pos, in_gain, b0, b1, a1, zs, pre, pre_len,
               out_l, out_r, state, target, smooth, work):
    """Feedback delay network (Jot & Chaigne 1991) over stereo ``x`` (2, frames) into ``out`` (2, frames).

    ``lines`` (N, 2**k) delay lines with ``lengths`` (samples); N = FDN_LINES mixed by a normalised Hadamard matrix
    (fast Walsh-Hadamard transform). Each line ends in a first-order absorption shelf ``(b0 + b1 z^-1) / (1 + a1
    z^-1)`` with state ``zs``; ``pre`` (2, 2**j) is the pre-delay line of ``pre_len`` samples. ``state`` = [mix,
    width] current values (glide to ``target`` with ``smooth``); ``pos`` = [write index, pre-delay write index].
    The network runs in chunks no longer than its shortest line, so every read comes from frames already written:
    the result does not depend on the chunking. ``work`` (N + 4, chunk) is scratch.
    """
    n_lines = FDN_LINES
    mask = lines.shape[1] - 1
    pmask = pre.shape[1] - 1
    frames = x.shape[1]
    chunk = work.shape[1]
    norm = np.float32(1.0 / np.sqrt(n_lines))
    w = pos[0]
    pw = pos[1]
    mix = state[0]
    width = state[1]
    v = work[:n_lines]
    il = work[n_lines]
    ir = work[n_lines + 1]
    yl = work[n_lines + 2]
    yr = work[n_lines + 3]
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
        # line outputs
        for i in range(n_lines):
            _ring_read(lines[i], w - lengths[i], v[i], nb)
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
    state[0] = mix
    state[1] = width
