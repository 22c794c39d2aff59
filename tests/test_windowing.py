"""Window/level maths against hand-worked numbers (DICOM PS3.3 C.11.2.1.2)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from course_utils import windowing
from course_utils.windowing import PRESETS, WindowPreset, apply_window, get_window, window_limits


# --- presets -----------------------------------------------------------------------------


def test_presets_have_the_cited_values_and_a_source():
    expected = {"brain": (80, 40), "lung": (1500, -600), "mediastinum": (350, 50),
                "soft_tissue": (400, 40), "bone": (1800, 400), "liver": (150, 30),
                "stroke": (8, 32), "subdural": (200, 75)}
    for name, (width, level) in expected.items():
        preset = PRESETS[name]
        assert (preset.width, preset.level) == (width, level), name
        assert preset.source.startswith("https://radiopaedia.org/articles/windowing-ct")
        assert preset.name == name
    # W 80 / L 40 is the brain window, not soft tissue
    assert get_window("soft_tissue") != (80.0, 40.0)
    assert "350-400" in PRESETS["soft_tissue"].note


def test_preset_is_frozen_and_validates():
    with pytest.raises(dataclasses.FrozenInstanceError):
        PRESETS["brain"].width = 100
    with pytest.raises(ValueError, match="window width must be > 0, got -5"):
        WindowPreset("bad", -5, 0, "https://example.org")


def test_get_window_accepts_names_presets_and_pairs():
    assert get_window("brain") == (80.0, 40.0)
    assert get_window("Soft-Tissue") == (400.0, 40.0)
    assert get_window(PRESETS["bone"]) == (1800.0, 400.0)
    assert get_window([350, 50]) == (350.0, 50.0)
    assert get_window(np.array([1500, -600])) == (1500.0, -600.0)


def test_get_window_messages():
    with pytest.raises(ValueError, match=r"unknown window preset 'abdomenn'; choose one of brain"):
        get_window("abdomenn")
    with pytest.raises(TypeError, match=r"window must be a preset name, a WindowPreset or "
                                        r"\(width, level\), got 400"):
        get_window(400)
    with pytest.raises(ValueError, match="width and level must be finite"):
        get_window((np.inf, 40))
    with pytest.raises(ValueError, match="window width must be > 0, got 0"):
        get_window((0, 40))
    with pytest.raises(TypeError, match="width and level must be numbers"):
        get_window(("400", 40))


# --- limits ------------------------------------------------------------------------------


def test_window_limits_hand_worked():
    # LINEAR_EXACT: L -/+ W/2
    assert window_limits(80, 40) == (0.0, 80.0)
    assert window_limits(1500, -600) == (-1350.0, 150.0)
    # LINEAR: c - 0.5 -/+ (w - 1)/2
    assert window_limits(80, 40, "LINEAR") == (0.0, 79.0)
    assert window_limits(1500, -600, "LINEAR") == (-1350.0, 149.0)
    # odd width: no integer-division shift (401 // 2 = 200 would give 39.5 -> -160 / 240)
    assert window_limits(401, 40) == (-160.5, 240.5)
    assert window_limits(401, 40, "LINEAR") == (-160.5, 239.5)
    assert window_limits(80, 40, "linear_exact") == (0.0, 80.0)


def test_window_limits_messages():
    with pytest.raises(ValueError, match="SIGMOID function has no limits"):
        window_limits(80, 40, "SIGMOID")
    with pytest.raises(ValueError, match=r"function must be one of LINEAR, LINEAR_EXACT, SIGMOID "
                                         r"\(DICOM VOILUTFunction\), got 'LOG'"):
        window_limits(80, 40, "LOG")
    with pytest.raises(ValueError, match="window width must be >= 1 for the DICOM LINEAR function, "
                                         "got 0.5; use function='LINEAR_EXACT'"):
        window_limits(0.5, 40, "LINEAR")
    assert window_limits(0.5, 40, "LINEAR_EXACT") == (39.75, 40.25)


# --- apply_window ------------------------------------------------------------------------


def test_linear_hand_worked():
    x = np.array([-100.0, 0.0, 39.5, 40.0, 79.0, 80.0, 1000.0])
    y = apply_window(x, 80, 40)
    expected = [0.0, 0.0, 0.5, (40 - 39.5) / 79 + 0.5, 1.0, 1.0, 1.0]
    np.testing.assert_allclose(y, expected, rtol=0, atol=1e-12)
    # the LINEAR centre value 0.5 is at c - 0.5, not at c
    assert y[3] == pytest.approx(0.5063291139240507)


def test_linear_exact_hand_worked():
    x = np.array([-1.0, 0.0, 20.0, 40.0, 60.0, 80.0, 81.0])
    y = apply_window(x, 80, 40, "LINEAR_EXACT")
    np.testing.assert_allclose(y, [0, 0, 0.25, 0.5, 0.75, 1, 1], atol=1e-12)


def test_odd_width_is_not_shifted():
    # W 3, L 0: LINEAR_EXACT limits -1.5 / 1.5, so x = 0 is mid-grey and x = 1 is 5/6
    y = apply_window(np.array([-2.0, 0.0, 1.0]), 3, 0, "LINEAR_EXACT")
    np.testing.assert_allclose(y, [0.0, 0.5, 5 / 6])
    # LINEAR W 3, L 0: y = (x + 0.5) / 2 + 0.5
    y = apply_window(np.array([-1.5, -0.5, 0.5]), 3, 0, "LINEAR")
    np.testing.assert_allclose(y, [0.0, 0.5, 1.0])


def test_integer_input_does_not_use_integer_division():
    stored = np.array([0, 20, 40, 60], dtype=np.int16)
    y = apply_window(stored, 80, 40, "LINEAR_EXACT")
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, [0.0, 0.25, 0.5, 0.75])
    # uint16 above 32767 stays positive
    y = apply_window(np.array([40000], dtype=np.uint16), 80, 40)
    assert y[0] == 1.0


def test_width_one_linear_is_a_step():
    y = apply_window(np.array([38.0, 39.5, 39.6, 41.0]), 1, 40)
    np.testing.assert_array_equal(y, [0, 0, 1, 1])


def test_sigmoid_hand_worked():
    x = np.array([40.0, 60.0, -1e6, 1e6])
    y = apply_window(x, 80, 40, "SIGMOID")
    np.testing.assert_allclose(y, [0.5, 1 / (1 + np.exp(-1.0)), 0.0, 1.0])


def test_dtype_preserved_and_out_used():
    hu32 = np.linspace(-1000, 1000, 24, dtype=np.float32).reshape(2, 3, 4)
    assert apply_window(hu32, 400, 40).dtype == np.float32
    hu64 = hu32.astype(np.float64)
    assert apply_window(hu64, 400, 40).dtype == np.float64
    assert apply_window(hu64, 400, 40, dtype=np.float32).dtype == np.float32

    out = np.empty_like(hu32)
    result = apply_window(hu32, 400, 40, out=out)
    assert result is out
    np.testing.assert_allclose(out, np.clip((hu64 - 39.5) / 399 + 0.5, 0, 1), rtol=1e-6,
                               atol=1e-6)
    # in place on the input itself
    copy = hu32.copy()
    assert apply_window(copy, 400, 40, out=copy) is copy
    np.testing.assert_array_equal(copy, out)


def test_blocks_and_non_contiguous_match(monkeypatch):
    monkeypatch.setattr(windowing, "_BLOCK", 7)  # many blocks, ragged last one
    hu = np.arange(-60, 60, dtype=np.float32).reshape(4, 5, 6)
    expected = np.clip((hu.astype(np.float64) - 39.5) / 79 + 0.5, 0, 1)
    np.testing.assert_allclose(apply_window(hu, 80, 40), expected, atol=1e-6)
    view = hu[:, ::2, ::-1]
    np.testing.assert_allclose(apply_window(view, 80, 40), expected[:, ::2, ::-1], atol=1e-6)


def test_output_stays_in_unit_interval_and_ends_are_exact():
    # a level and width that float32 cannot represent exactly
    x = np.linspace(-500, 500, 100001, dtype=np.float32)
    for function in ("LINEAR", "LINEAR_EXACT"):
        y = apply_window(x, 333.3, 40.3, function)
        assert y.min() == 0.0 and y.max() == 1.0
        lo, hi = window_limits(333.3, 40.3, function)
        assert np.all(y[x <= lo] == 0.0) and np.all(y[x >= hi] == 1.0)
        assert np.all(np.diff(y) >= 0)  # monotonic
    # the LINEAR mid-grey is exactly at c - 0.5
    assert apply_window(np.array([39.5], dtype=np.float32), 80, 40)[0] == 0.5


def test_window_below_float32_resolution_is_a_step():
    y = apply_window(np.array([999.0, 1000.0, 1001.0], dtype=np.float32), 1e-6, 1000,
                     "LINEAR_EXACT")
    np.testing.assert_array_equal(y, [0, 0, 1])


def test_nan_stays_nan():
    y = apply_window(np.array([np.nan, 40.0]), 80, 40, "LINEAR_EXACT")
    assert np.isnan(y[0]) and y[1] == 0.5
    # also in the degenerate step windows
    y = apply_window(np.array([np.nan, 41.0]), 1, 40)
    assert np.isnan(y[0]) and y[1] == 1.0
    y = apply_window(np.array([np.nan, 1001.0], dtype=np.float32), 1e-6, 1000, "LINEAR_EXACT")
    assert np.isnan(y[0]) and y[1] == 1.0


def test_apply_window_messages():
    hu = np.zeros((2, 2), dtype=np.float32)
    with pytest.raises(ValueError, match=r"out has shape \(3,\) but hu has shape \(2, 2\)"):
        apply_window(hu, 80, 40, out=np.empty(3, dtype=np.float32))
    with pytest.raises(TypeError, match="out must be a floating-point numpy array"):
        apply_window(hu, 80, 40, out=np.empty((2, 2), dtype=np.int16))
    with pytest.raises(TypeError, match="dtype must be a floating type, got int32"):
        apply_window(hu, 80, 40, dtype=np.int32)
    with pytest.raises(TypeError, match="hu must be a real numeric array, got dtype <U1"):
        apply_window(np.array(["a"]), 80, 40)
    with pytest.raises(ValueError, match="window width must be >= 1 for the DICOM LINEAR"):
        apply_window(hu, 0.5, 40)
    with pytest.raises(ValueError, match="window width must be > 0, got -1"):
        apply_window(hu, -1, 40, "LINEAR_EXACT")
    with pytest.raises(ValueError, match="function must be one of"):
        apply_window(hu, 80, 40, "linearr")
