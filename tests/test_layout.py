"""Layouts: the style sheet stays local, panels share windows, montages label their slices."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_utils.layout import STYLE_PATH, add_panel_labels, course_style, montage, window_panel


def test_style_sheet_ships_with_the_package_and_is_valid():
    assert STYLE_PATH.name == "course.mplstyle" and STYLE_PATH.is_file()
    params = matplotlib.rc_params_from_file(STYLE_PATH, use_default_template=False)
    assert params["axes.spines.top"] is False and params["axes.spines.right"] is False
    assert "image.cmap" not in params  # colormaps stay explicit per call
    assert params["axes.prop_cycle"].by_key()["color"][:2] == ["#0072B2", "#E69F00"]


def test_course_style_is_a_context_and_restores_rcparams():
    before = matplotlib.rcParams.copy()
    with course_style():
        assert matplotlib.rcParams["axes.spines.right"] is False
        assert matplotlib.rcParams["font.size"] == 11
        fig, ax = plt.subplots()
        assert not ax.spines["top"].get_visible()
    assert matplotlib.rcParams["axes.spines.right"] is True
    assert dict(matplotlib.rcParams) == dict(before)


def test_window_panel_one_window_per_panel():
    image = np.zeros((4, 6))
    fig, axes = window_panel(image, spacing=(1.0, 0.5))
    assert len(axes) == 3
    assert [ax.images[0].get_clim() for ax in axes] == [(-160.0, 240.0), (-1350.0, 150.0),
                                                       (-500.0, 1300.0)]
    assert axes[0].get_title() == "soft tissue\nW 400 / L 40"
    assert axes[1].images[0].get_extent() == [-0.25, 2.75, 3.5, -0.5]


def test_window_panel_given_axes_pairs_and_titles():
    fig, given = plt.subplots(2, 2)
    fig2, axes = window_panel(np.zeros((3, 3)), windows=[(80, 40), "brain"], axes=given,
                              titles=["a", "b"])
    assert fig2 is fig and len(axes) == 2
    assert [ax.get_title() for ax in axes] == ["a", "b"]
    fig, axes = window_panel(np.zeros((3, 3)), windows=[(80, 40)])
    assert axes[0].get_title() == "W 80 / L 40"


def test_window_panel_messages():
    with pytest.raises(ValueError, match="windows must name at least one window"):
        window_panel(np.zeros((3, 3)), windows=[])
    with pytest.raises(ValueError, match="unknown window preset 'lungs'"):
        window_panel(np.zeros((3, 3)), windows=["lung", "lungs"])
    with pytest.raises(ValueError, match="titles has 1 entries for 2 windows"):
        window_panel(np.zeros((3, 3)), windows=["lung", "bone"], titles=["x"])
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="axes must hold at least 3 matplotlib Axes, got 1"):
        window_panel(np.zeros((3, 3)), axes=[ax])


def test_montage_same_window_labels_and_hidden_panels():
    volume = np.arange(10 * 4 * 4, dtype=np.float32).reshape(10, 4, 4)
    fig, axes = montage(volume, n=5, ncols=3, window="brain", spacing=(2.5, 0.5, 0.5))
    assert axes.shape == (2, 3)
    shown = [ax for ax in axes.flat if ax.get_visible()]
    assert len(shown) == 5 and not axes[1, 2].get_visible()
    assert {ax.images[0].get_clim() for ax in shown} == {(0.0, 80.0)}
    # slices 0, 2, 4 (4.5 rounds to even), 7, 9 -> positions k * 2.5 mm
    texts = [ax.texts[0].get_text() for ax in shown]
    assert texts == ["k=0\n+0.0 mm", "k=2\n+5.0 mm", "k=4\n+10.0 mm", "k=7\n+17.5 mm",
                     "k=9\n+22.5 mm"]
    np.testing.assert_array_equal(shown[1].images[0].get_array(), volume[2])
    assert shown[0].images[0].get_extent() == [-0.25, 1.75, 1.75, -0.25]


def test_montage_without_window_shares_percentile_limits():
    volume = np.arange(3 * 2 * 2, dtype=float).reshape(3, 2, 2)
    fig, axes = montage(volume, slices=[0, -1], ncols=4)
    assert axes.shape == (1, 2)
    lo, hi = np.percentile(volume[[0, 2]], [1, 99])
    assert {ax.images[0].get_clim() for ax in axes.flat} == {(lo, hi)}
    assert [ax.texts[0].get_text() for ax in axes.flat] == ["k=0", "k=2"]


def test_montage_messages():
    with pytest.raises(ValueError, match=r"volume must be a 3D array \[z, y, x\], got shape "
                                         r"\(4, 4\); for one slice use display.show_slice"):
        montage(np.zeros((4, 4)))
    with pytest.raises(ValueError, match=r"slice indices \[5\] are outside the volume's 3 slices"):
        montage(np.zeros((3, 2, 2)), slices=[0, 5])
    with pytest.raises(ValueError, match="slices is empty"):
        montage(np.zeros((3, 2, 2)), slices=[])
    with pytest.raises(ValueError, match="n must be a positive integer, got 0"):
        montage(np.zeros((3, 2, 2)), n=0)
    with pytest.raises(ValueError, match="ncols must be a positive integer, got 0"):
        montage(np.zeros((3, 2, 2)), ncols=0)
    with pytest.raises(ValueError, match=r"spacing must be 3 positive numbers \(dz, dy, dx\)"):
        montage(np.zeros((3, 2, 2)), spacing=(1, 1))
    with pytest.raises(ValueError, match=r"spacing must be 3 positive numbers \(dz, dy, dx\)"):
        montage(np.zeros((3, 2, 2)), spacing=(0, 1, 1))
    with pytest.raises(ValueError, match="pass either window or vmin/vmax, not both"):
        montage(np.zeros((3, 2, 2)), window="lung", vmin=0)
    with pytest.raises(TypeError, match="volume must be a real numeric array"):
        montage(np.full((3, 2, 2), "a"))


def test_panel_labels_bold_top_left_in_reading_order():
    fig, axes = plt.subplots(2, 2)
    axes[1, 1].set_visible(False)
    texts = add_panel_labels(axes)
    assert [t.get_text() for t in texts] == ["A", "B", "C"]
    assert texts[1].axes is axes[0, 1]
    assert all(t.get_fontweight() == "bold" for t in texts)
    assert texts[0].get_position() == (0.02, 0.98)
    assert (texts[0].get_ha(), texts[0].get_va()) == ("left", "top")
    single = add_panel_labels(axes[0, 0], labels=["(a)"])
    assert single[0].get_text() == "(a)"


def test_panel_labels_messages():
    fig, axes = plt.subplots(1, 2)
    with pytest.raises(ValueError, match="got 3 labels for 2 panels"):
        add_panel_labels(axes, labels=["A", "B", "C"])
    with pytest.raises(TypeError, match="axes must be matplotlib Axes"):
        add_panel_labels([np.zeros(3)])


def test_course_style_keeps_an_interactive_switch_made_inside_the_block():
    """The inline backend turns interactive mode on with the kernel's first figure: keep it."""
    import matplotlib

    was = matplotlib.is_interactive()
    try:
        matplotlib.interactive(False)
        with course_style():
            matplotlib.interactive(True)
        assert matplotlib.is_interactive()
    finally:
        matplotlib.interactive(was)


def test_figures_still_show_after_a_nested_rc_context_in_a_real_kernel():
    """Jupyter's inline backend loads with the first figure; nesting must not hide later ones."""
    import nbformat
    from nbclient import NotebookClient

    cells = [
        "import matplotlib.pyplot as plt\n"
        "from course_utils.layout import course_style\n"
        "with course_style(), plt.rc_context({'font.size': 8}):\n"
        "    fig, ax = plt.subplots()\n"
        "    ax.plot([0, 1])",
        "fig, ax = plt.subplots()\nax.plot([1, 0]);",
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    shown = ["image/png" in output.get("data", {})
             for cell in notebook.cells for output in cell.outputs]
    assert shown.count(True) == 2, [cell.outputs for cell in notebook.cells]


def test_course_style_restores_settings_changed_inside_the_block():
    """Settings a learner changes inside the block end with it, like matplotlib.rc_context."""
    import matplotlib

    before = matplotlib.rcParams["lines.markersize"]
    with course_style():
        matplotlib.rcParams["lines.markersize"] = before + 3
    assert matplotlib.rcParams["lines.markersize"] == before
