"""Shared test setup: no figure left open between tests (the root conftest sets Agg)."""

import matplotlib.pyplot as plt
import pytest


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")
