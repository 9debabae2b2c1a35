"""Build of the C kernels (``studioflow._kernels.native``); everything else about the package is in pyproject.toml.

-ffp-contract=off keeps one rounding per floating-point operation, as the sources are written (the true-peak kernel
names its fused multiply-adds), so results are the same bits on every machine and compiler.
"""

from glob import glob

from setuptools import Extension, setup

setup(ext_modules=[Extension(
    "studioflow._kernels.native",
    sources=sorted(glob("src/studioflow/_kernels/*.c")),
    depends=glob("src/studioflow/_kernels/*.h"),
    extra_compile_args=["-O3", "-ffp-contract=off", "-fno-math-errno", "-std=c11", "-Wall", "-Wextra",
                        "-Wno-unused-parameter"],
)])
