"""Doctest setup: examples that draw run on a headless backend."""

import matplotlib

matplotlib.use("Agg")
