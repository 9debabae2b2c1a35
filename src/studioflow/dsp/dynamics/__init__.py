"""Dynamics processors: compressor, gate/expander, de-esser, transient shaper, multiband compressor, true-peak limiter.

Import the module you need (``studioflow.dsp.dynamics.compressor`` ...) or build by name through ``dsp.registry``.
"""
