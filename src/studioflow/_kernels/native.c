/* studioflow._kernels.native: the Python face of the C kernels. Arrays come in through the buffer protocol; each
 * function checks their element type, shape and layout (a wrong one is a TypeError or ValueError, not a crash),
 * then runs the kernel without the GIL, so files are measured in parallel threads. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "kernels.h"

/* Element kinds the functions take, by buffer format character(s) and item size. */
typedef enum { F32, F64, I64, U8, C64 } Kind;

static int kind_matches(const Py_buffer *view, Kind kind)
{
    const char *f = view->format ? view->format : "B";
    if (*f == '<' || *f == '=' || *f == '@') f++;
    switch (kind) {
    case F32: return view->itemsize == 4 && strcmp(f, "f") == 0;
    case F64: return view->itemsize == 8 && strcmp(f, "d") == 0;
    case I64: return view->itemsize == 8 && (strcmp(f, "l") == 0 || strcmp(f, "q") == 0);
    case U8: return view->itemsize == 1 && strcmp(f, "B") == 0;
    case C64: return view->itemsize == 8 && strcmp(f, "Zf") == 0;
    }
    return 0;
}

static const char *KIND_NAMES[] = {"float32", "float64", "int64", "uint8", "complex64"};

/* Fill `view` for `obj` (`ndim` dimensions, -1 for any, of `kind`), C-contiguous unless `strided`; writable if asked.
 * On failure sets an exception and returns -1 (nothing to release). */
static int get(PyObject *obj, Py_buffer *view, const char *name, Kind kind, int ndim, int writable, int strided)
{
    int flags = PyBUF_FORMAT | (strided ? PyBUF_STRIDES : PyBUF_C_CONTIGUOUS) | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, view, flags) < 0) {
        PyErr_Format(PyExc_TypeError, "%s: expected a%s %s array", name,
                     strided ? "" : " C-contiguous", KIND_NAMES[kind]);
        return -1;
    }
    if (!kind_matches(view, kind) || (ndim >= 0 && view->ndim != ndim)) {
        PyErr_Format(PyExc_TypeError, "%s: expected %d-D %s, got %d-D format %s", name, ndim, KIND_NAMES[kind],
                     view->ndim, view->format ? view->format : "B");
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

static void release(Py_buffer *views, int count)
{
    for (int i = 0; i < count; i++) PyBuffer_Release(&views[i]);
}

/* Acquire `count` buffers, described by parallel arrays; releases the acquired ones on failure. */
static int get_all(PyObject **objs, Py_buffer *views, const char **names, const Kind *kinds, const int *ndims,
                   const int *writable, int count, int strided_first)
{
    for (int i = 0; i < count; i++) {
        if (get(objs[i], &views[i], names[i], kinds[i], ndims[i], writable[i], strided_first && i == 0) < 0) {
            release(views, i);
            return -1;
        }
    }
    return 0;
}

static Py_ssize_t n_items(const Py_buffer *view)
{
    return view->len / view->itemsize;
}

PyDoc_STRVAR(k_weighted_ticks_doc,
"k_weighted_ticks(x0, x1, sos, state, ends, partial, out, peaks)\n--\n\n"
"K-weight two float32 channels x0, x1 (1-D, same length and stride) through sos (2, 6) with state (2, 4) kept\n"
"between calls, summing y^2 per channel into out (2, len(ends)) at frame indices ends (int64), the running sums\n"
"starting from and left in partial (2,); peaks (2,) tracks max |x|.");

static PyObject *py_k_weighted_ticks(PyObject *self, PyObject *args)
{
    PyObject *o[8];
    if (!PyArg_ParseTuple(args, "OOOOOOOO", &o[0], &o[1], &o[2], &o[3], &o[4], &o[5], &o[6], &o[7])) return NULL;
    Py_buffer x[2], v[6];
    for (int c = 0; c < 2; c++) {
        if (get(o[c], &x[c], "k_weighted_ticks: x", F32, 1, 0, 1) < 0) {
            release(x, c);
            return NULL;
        }
    }
    static const char *names[] = {"sos", "state", "ends", "partial", "out", "peaks"};
    static const Kind kinds[] = {F64, F64, I64, F64, F64, F64};
    static const int ndims[] = {2, 2, 1, 1, 2, 1};
    static const int writable[] = {0, 1, 0, 1, 1, 1};
    if (get_all(o + 2, v, names, kinds, ndims, writable, 6, 0) < 0) {
        release(x, 2);
        return NULL;
    }
    Py_ssize_t n = x[0].shape[0], stride = x[0].strides[0] / 4, n_ends = v[2].shape[0];
    PyObject *result = NULL;
    if (x[1].shape[0] != n || x[1].strides[0] / 4 != stride || x[0].strides[0] % 4 != 0)
        PyErr_SetString(PyExc_ValueError, "k_weighted_ticks: x0 and x1 differ in length or stride");
    else if (n_items(&v[0]) != 12 || n_items(&v[1]) != 8 || n_items(&v[3]) != 2 || n_items(&v[5]) != 2 ||
             v[4].shape[0] != 2 || v[4].shape[1] != n_ends)
        PyErr_SetString(PyExc_ValueError, "k_weighted_ticks: wrong shape of sos, state, partial, out or peaks");
    else {
        const int64_t *ends = v[2].buf;
        int ok = 1;
        for (Py_ssize_t t = 0; t < n_ends; t++)
            ok &= ends[t] >= (t ? ends[t - 1] : 0) && ends[t] <= n;
        if (!ok)
            PyErr_SetString(PyExc_ValueError, "k_weighted_ticks: ends must rise within the block");
        else {
            double *out = v[4].buf;
            Py_BEGIN_ALLOW_THREADS
            k_weighted_ticks(x[0].buf, x[1].buf, n, stride, v[0].buf, v[1].buf, ends, n_ends, v[3].buf, out,
                             out + n_ends, v[5].buf);
            Py_END_ALLOW_THREADS
            result = Py_NewRef(Py_None);
        }
    }
    release(x, 2);
    release(v, 6);
    return result;
}

PyDoc_STRVAR(interpolated_max_doc,
"interpolated_max(ext, taps, gain_bound, floor, chunk) -> float\n--\n\n"
"max(floor, max |y|) over the in-between branches taps (branches, ntaps; ntaps a multiple of 4) of the float32\n"
"rows of ext (channels, m), skipping chunks of `chunk` outputs bounded by gain_bound * max |x| below the maximum.");

static PyObject *py_interpolated_max(PyObject *self, PyObject *args)
{
    PyObject *o[2];
    double gain_bound, floor;
    Py_ssize_t chunk;
    if (!PyArg_ParseTuple(args, "OOddn", &o[0], &o[1], &gain_bound, &floor, &chunk)) return NULL;
    Py_buffer v[2];
    static const char *names[] = {"interpolated_max: ext", "interpolated_max: taps"};
    static const Kind kinds[] = {F32, F32};
    static const int ndims[] = {2, 2};
    static const int writable[] = {0, 0};
    if (get_all(o, v, names, kinds, ndims, writable, 2, 0) < 0) return NULL;
    PyObject *result = NULL;
    if (v[1].shape[1] % 4 != 0 || chunk < 1)
        PyErr_SetString(PyExc_ValueError, "interpolated_max: taps per branch must be a multiple of 4, chunk >= 1");
    else {
        int failed = 0;
        float best;
        Py_BEGIN_ALLOW_THREADS
        best = interpolated_max(v[0].buf, v[0].shape[0], v[0].shape[1], v[1].buf, v[1].shape[0], v[1].shape[1],
                                gain_bound, (float)floor, chunk, &failed);
        Py_END_ALLOW_THREADS
        result = failed ? PyErr_NoMemory() : PyFloat_FromDouble((double)best);
    }
    release(v, 2);
    return result;
}

PyDoc_STRVAR(accumulate_stats_doc,
"accumulate_stats(block, offset, clip_level, run_min, sums, squares, cross, run_len, run_start, runs, n_runs,"
" counts)\n--\n\n"
"Add one float32 block (channels, n) starting at frame offset to per-channel sums and squares (float64), the\n"
"channel 0 x 1 cross product (1,), and the clipped runs: run_len, run_start (int64, carried across blocks);\n"
"finished runs of at least run_min samples at |x| >= clip_level go to runs (rows, 3) while there is room;\n"
"n_runs (1,), counts = [runs, samples].");

static PyObject *py_accumulate_stats(PyObject *self, PyObject *args)
{
    PyObject *o[10];
    long long offset, run_min;
    double clip_level;
    if (!PyArg_ParseTuple(args, "OLdLOOOOOOOO", &o[0], &offset, &clip_level, &run_min, &o[1], &o[2], &o[3], &o[4],
                          &o[5], &o[6], &o[7], &o[8]))
        return NULL;
    Py_buffer v[9];
    static const char *names[] = {"block", "sums", "squares", "cross", "run_len", "run_start", "runs", "n_runs",
                                  "counts"};
    static const Kind kinds[] = {F32, F64, F64, F64, I64, I64, I64, I64, I64};
    static const int ndims[] = {2, 1, 1, 1, 1, 1, 2, 1, 1};
    static const int writable[] = {0, 1, 1, 1, 1, 1, 1, 1, 1};
    if (get_all(o, v, names, kinds, ndims, writable, 9, 0) < 0) return NULL;
    Py_ssize_t channels = v[0].shape[0], n = v[0].shape[1];
    PyObject *result = NULL;
    if (v[1].shape[0] < channels || v[2].shape[0] < channels || v[3].shape[0] < 1 || v[4].shape[0] < channels ||
        v[5].shape[0] < channels || v[6].shape[1] != 3 || v[7].shape[0] < 1 || v[8].shape[0] < 2)
        PyErr_SetString(PyExc_ValueError, "accumulate_stats: an accumulator is too small for the block");
    else {
        Py_BEGIN_ALLOW_THREADS
        accumulate_stats(v[0].buf, channels, n, offset, clip_level, run_min, v[1].buf, v[2].buf, v[3].buf, v[4].buf,
                         v[5].buf, v[6].buf, v[6].shape[0], v[7].buf, v[8].buf);
        Py_END_ALLOW_THREADS
        result = Py_NewRef(Py_None);
    }
    release(v, 9);
    return result;
}

PyDoc_STRVAR(close_run_doc,
"close_run(channel, start, length, runs, n_runs, counts)\n--\n\n"
"Record a finished clipped run in runs (rows, 3) while there is room and count it in counts = [runs, samples].");

static PyObject *py_close_run(PyObject *self, PyObject *args)
{
    PyObject *o[3];
    long long channel, start, length;
    if (!PyArg_ParseTuple(args, "LLLOOO", &channel, &start, &length, &o[0], &o[1], &o[2])) return NULL;
    Py_buffer v[3];
    static const char *names[] = {"runs", "n_runs", "counts"};
    static const Kind kinds[] = {I64, I64, I64};
    static const int ndims[] = {2, 1, 1};
    static const int writable[] = {1, 1, 1};
    if (get_all(o, v, names, kinds, ndims, writable, 3, 0) < 0) return NULL;
    PyObject *result = NULL;
    if (v[0].shape[1] != 3 || v[1].shape[0] < 1 || v[2].shape[0] < 2)
        PyErr_SetString(PyExc_ValueError, "close_run: runs must be (rows, 3), n_runs (1,), counts (2,)");
    else {
        close_run(channel, start, length, v[0].buf, v[0].shape[0], v[1].buf, v[2].buf);
        result = Py_NewRef(Py_None);
    }
    release(v, 3);
    return result;
}

PyDoc_STRVAR(add_power_doc,
"add_power(spec, acc, edges, groups, power)\n--\n\n"
"|spec|^2 of complex64 spectra (rows, count, bins; bins adjacent) in float64: summed over frames into acc\n"
"(rows, bins); each frame's sum over rows and bins edges[g] .. edges[g+1]-1 (int64) into groups\n"
"(count, len(edges) - 1); power is scratch (bins,) float64.");

static PyObject *py_add_power(PyObject *self, PyObject *args)
{
    PyObject *o[5];
    if (!PyArg_ParseTuple(args, "OOOOO", &o[0], &o[1], &o[2], &o[3], &o[4])) return NULL;
    Py_buffer v[5];
    static const char *names[] = {"add_power: spec", "add_power: acc", "add_power: edges", "add_power: groups",
                                  "add_power: power"};
    static const Kind kinds[] = {C64, F64, I64, F64, F64};
    static const int ndims[] = {3, 2, 1, 2, 1};
    static const int writable[] = {0, 1, 0, 1, 1};
    if (get_all(o, v, names, kinds, ndims, writable, 5, 1) < 0) return NULL;
    Py_ssize_t rows = v[0].shape[0], count = v[0].shape[1], bins = v[0].shape[2], n_edges = v[2].shape[0];
    const int64_t *edges = v[2].buf;
    int ok = v[1].shape[0] == rows && v[1].shape[1] == bins && v[4].shape[0] >= bins && n_edges >= 1 &&
             v[3].shape[0] == count && v[3].shape[1] == n_edges - 1 && (bins < 2 || v[0].strides[2] == 8) &&
             v[0].strides[0] % 8 == 0 && v[0].strides[1] % 8 == 0;
    for (Py_ssize_t g = 0; ok && g < n_edges; g++) ok = edges[g] >= (g ? edges[g - 1] : 0) && edges[g] <= bins;
    PyObject *result = NULL;
    if (!ok)
        PyErr_SetString(PyExc_ValueError, "add_power: shapes of acc, groups or power, or edges, do not fit spec "
                        "(whose bins must be adjacent)");
    else {
        Py_BEGIN_ALLOW_THREADS
        add_power(v[0].buf, rows, count, bins, v[0].strides[0] / 8, v[0].strides[1] / 8, v[1].buf, edges, n_edges,
                  v[3].buf, v[4].buf);
        Py_END_ALLOW_THREADS
        result = Py_NewRef(Py_None);
    }
    release(v, 5);
    return result;
}

PyDoc_STRVAR(pcm24_floats_doc,
"pcm24_floats(raw, out)\n--\n\n"
"Little-endian interleaved 24-bit samples raw (uint8) into float32 out (channels, frames; any strides):\n"
"code / 2^23.");

static PyObject *py_pcm24_floats(PyObject *self, PyObject *args)
{
    PyObject *o[2];
    if (!PyArg_ParseTuple(args, "OO", &o[0], &o[1])) return NULL;
    Py_buffer v[2];
    if (get(o[0], &v[0], "pcm24_floats: raw", U8, -1, 0, 0) < 0) return NULL;
    if (get(o[1], &v[1], "pcm24_floats: out", F32, 2, 1, 1) < 0) {
        release(v, 1);
        return NULL;
    }
    Py_ssize_t channels = v[1].shape[0], frames = v[1].shape[1];
    PyObject *result = NULL;
    if (v[0].len < channels * frames * 3 || v[1].strides[0] % 4 || v[1].strides[1] % 4)
        PyErr_SetString(PyExc_ValueError, "pcm24_floats: raw holds fewer than channels * frames * 3 bytes");
    else {
        Py_BEGIN_ALLOW_THREADS
        pcm24_floats(v[0].buf, v[1].buf, channels, frames, v[1].strides[0] / 4, v[1].strides[1] / 4);
        Py_END_ALLOW_THREADS
        result = Py_NewRef(Py_None);
    }
    release(v, 2);
    return result;
}

PyDoc_STRVAR(float_frames_doc,
"float_frames(x, start, stop, out) -> int\n--\n\n"
"float32 out[f - start, c] = x[c, f] for frames start..stop-1 (both 2-D float32, any strides); returns the first\n"
"frame holding a NaN or Inf, or -1.");

static PyObject *py_float_frames(PyObject *self, PyObject *args)
{
    PyObject *o[2];
    Py_ssize_t start, stop;
    if (!PyArg_ParseTuple(args, "OnnO", &o[0], &start, &stop, &o[1])) return NULL;
    Py_buffer v[2];
    if (get(o[0], &v[0], "float_frames: x", F32, 2, 0, 1) < 0) return NULL;
    if (get(o[1], &v[1], "float_frames: out", F32, 2, 1, 1) < 0) {
        release(v, 1);
        return NULL;
    }
    Py_ssize_t rows = v[0].shape[0];
    PyObject *result = NULL;
    if (start < 0 || stop < start || stop > v[0].shape[1] || v[1].shape[0] < stop - start || v[1].shape[1] != rows ||
        v[0].strides[0] % 4 || v[0].strides[1] % 4 || v[1].strides[0] % 4 || v[1].strides[1] % 4)
        PyErr_SetString(PyExc_ValueError, "float_frames: out must be (stop - start, channels) of x's frames");
    else {
        Py_ssize_t bad;
        Py_BEGIN_ALLOW_THREADS
        bad = float_frames(v[0].buf, v[0].strides[0] / 4, v[0].strides[1] / 4, rows, start, stop, v[1].buf,
                           v[1].strides[0] / 4, v[1].strides[1] / 4);
        Py_END_ALLOW_THREADS
        result = PyLong_FromSsize_t(bad);
    }
    release(v, 2);
    return result;
}

PyDoc_STRVAR(keep_freed_memory_doc,
"keep_freed_memory(bytes) -> bool\n--\n\n"
"Have the C library's allocator keep up to `bytes` of freed memory for reuse and serve blocks under bytes / 2\n"
"from it, rather than handing them back to the system and faulting fresh pages in for every block of audio\n"
"(glibc's mallopt; for a process that streams files). False where the allocator has no such settings.");

static PyObject *py_keep_freed_memory(PyObject *self, PyObject *args)
{
    int bytes;
    if (!PyArg_ParseTuple(args, "i", &bytes)) return NULL;
#ifdef __GLIBC__
    int ok = bytes >= 2 && mallopt(M_MMAP_THRESHOLD, bytes / 2) && mallopt(M_TRIM_THRESHOLD, bytes) &&
             mallopt(M_TOP_PAD, bytes / 4);
    return PyBool_FromLong(ok);
#else
    return Py_NewRef(Py_False);
#endif
}

static PyMethodDef methods[] = {
    {"k_weighted_ticks", py_k_weighted_ticks, METH_VARARGS, k_weighted_ticks_doc},
    {"interpolated_max", py_interpolated_max, METH_VARARGS, interpolated_max_doc},
    {"accumulate_stats", py_accumulate_stats, METH_VARARGS, accumulate_stats_doc},
    {"close_run", py_close_run, METH_VARARGS, close_run_doc},
    {"add_power", py_add_power, METH_VARARGS, add_power_doc},
    {"pcm24_floats", py_pcm24_floats, METH_VARARGS, pcm24_floats_doc},
    {"float_frames", py_float_frames, METH_VARARGS, float_frames_doc},
    {"keep_freed_memory", py_keep_freed_memory, METH_VARARGS, keep_freed_memory_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "studioflow._kernels.native",
    "Measurement and sample-conversion kernels compiled ahead of time (C); each releases the GIL.", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit_native(void)
{
    return PyModule_Create(&module);
}
