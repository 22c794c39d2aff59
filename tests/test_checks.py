"""The checks framework (course_utils/checks/): plain data, answer files, getters, the registry
and variants. Figure descriptions and predicates: tests/test_checks_figures.py."""

from __future__ import annotations

import dataclasses
import json
import math
import zipfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_utils import checks as checks_package
from course_utils.checks import _plain as _core
from course_utils.checks import _registry
from course_utils.checks._describe import describe_axes, describe_figure
from course_utils.checks._plain import (dump_answers, extract_to_file, load_answers, to_plain,
                                        type_of)
from course_utils.checks._registry import CheckFailed, CheckList, CheckResult
from course_utils.checks._values import (first_image, get_array, get_axes, get_number, get_path,
                                         get_string, is_blank)

BLANK = {"__type__": "ellipsis"}
MISSING = {"__type__": "missing"}


# --------------------------------------------------------------------------- to_plain

@pytest.mark.parametrize("value", [None, True, False, 0, -3, 2.5, "text", "", math.inf])
def test_plain_scalars_stay(value):
    assert to_plain(value) == value and type(to_plain(value)) is type(value)


def test_numbers_and_strings_are_bounded():
    assert to_plain(2**70) == float(2**70)
    assert len(to_plain("x" * 10_000)) == _core.MAX_TEXT
    assert to_plain(np.float32(2.5)) == 2.5 and type(to_plain(np.float32(2.5))) is float
    assert to_plain(np.int16(-7)) == -7 and to_plain(np.bool_(True)) is True
    assert type_of(to_plain(np.complex64(1 + 2j))) == "object"
    assert to_plain(3 + 4j) == {"__type__": "complex", "real": 3.0, "imag": 4.0}


def test_ellipsis_and_containers():
    assert to_plain(...) == BLANK
    assert to_plain((1, [2, (3,)], {"a": ...})) == [1, [2, [3]], {"a": BLANK}]
    assert to_plain({1: "one"}) == {"1": "one"}
    assert to_plain({3, 1, 2}) == {"__type__": "set", "items": [1, 2, 3]}
    assert len(to_plain(list(range(_core.MAX_ITEMS + 5)))) == _core.MAX_ITEMS


def test_depth_is_limited():
    nested: list = []
    for _ in range(_core.MAX_DEPTH + 3):
        nested = [nested]
    plain = to_plain(nested)
    for _ in range(_core.MAX_DEPTH + 1):
        plain = plain[0]
    assert plain == {"__type__": "too_deep"}


def test_arrays_are_copied_numeric_or_tagged(monkeypatch):
    source = np.arange(6, dtype=np.int16).reshape(2, 3)
    plain = to_plain(source)
    source[0, 0] = 99
    assert plain.dtype == np.int16 and plain[0, 0] == 0
    assert to_plain(np.array([True, False])).dtype == bool
    assert to_plain(np.array(["a", "b"])) == {"__type__": "list_array", "items": ["a", "b"]}
    assert type_of(to_plain(np.zeros(2, dtype=complex))) == "object"
    masked = to_plain(np.ma.masked_less(np.array([1.0, -1.0, 2.0]), 0))
    assert type_of(masked) == "masked_array"
    assert masked["mask"].tolist() == [False, True, False]
    monkeypatch.setattr(_core, "MAX_ARRAY_BYTES", 100)
    assert to_plain(np.zeros(1000)) == {"__type__": "too_large", "class": "ndarray",
                                        "shape": [1000]}


def test_paths_functions_objects_dataclasses(tmp_path):
    file = tmp_path / "a.stl"
    file.write_text("solid")
    assert to_plain(file) == {"__type__": "path", "path": str(file), "exists": True,
                              "suffix": ".stl"}
    assert to_plain(len) == {"__type__": "function", "name": "len"}
    assert to_plain(lambda x: x)["__type__"] == "function"

    class Thing:
        def __repr__(self):
            return "<thing>"
    assert to_plain(Thing()) == {"__type__": "object", "class": "Thing", "repr": "<thing>"}

    @dataclasses.dataclass
    class Window:
        width: float
        level: float
    assert to_plain(Window(400, 40)) == {"__type__": "dataclass", "class": "Window",
                                         "fields": {"width": 400, "level": 40}}

    @dataclasses.dataclass
    class Forged:  # a field called __type__ cannot overwrite the tag
        __type__: str

    assert to_plain(Forged("axes"))["__type__"] == "dataclass"


def test_plotly_typed_arrays_and_figures():
    encoded = {"dtype": "f4", "bdata": __import__("base64").b64encode(
        np.array([1, 2, 3, 4], dtype="f4").tobytes()).decode(), "shape": "2, 2"}
    assert to_plain(encoded).tolist() == [[1.0, 2.0], [3.0, 4.0]]
    import plotly.graph_objects as go
    plain = to_plain(go.Figure(go.Scatter(x=[1, 2], y=[3, 4], name="s")))
    assert plain["__type__"] == "plotly_figure"
    assert plain["data"][0]["name"] == "s"
    assert np.asarray(plain["data"][0]["y"]).tolist() == [3, 4]


def test_dicom_dataset_without_pixels():
    from pydicom.dataset import Dataset
    ds = Dataset()
    ds.PatientName = "Doe^Jane"
    ds.Rows = 2
    ds.PixelSpacing = [0.5, 0.7]
    ds.PixelData = b"\0" * 8
    plain = to_plain(ds)
    assert plain["__type__"] == "dataset" and plain["has_pixel_data"] is True
    assert plain["elements"]["PatientName"] == "Doe^Jane"
    assert plain["elements"]["Rows"] == 2 and plain["elements"]["PixelSpacing"] == [0.5, 0.7]
    assert "PixelData" not in plain["elements"] and plain["vr"]["Rows"] == "US"


def test_a_failing_object_becomes_an_error_tag_not_a_crash():
    @dataclasses.dataclass
    class Exploding:            # reading its field raises
        field: int = 0

        def __getattribute__(self, name):
            if name == "field":
                raise RuntimeError("boom")
            return object.__getattribute__(self, name)
    checks = CheckList("00_x")

    @checks.add(points=1)
    def reads(broken):
        get_number(broken, "broken")

    result = reads.run({"broken": Exploding()})
    assert not result.passed and "could not be read (RuntimeError: boom)" in result.message


def test_trimesh_mesh():
    import trimesh
    plain = to_plain(trimesh.creation.box())
    assert plain["__type__"] == "Trimesh" and plain["is_watertight"] is True
    assert plain["vertices"].shape == (8, 3) and plain["faces"].shape == (12, 3)


# --------------------------------------------------------------------------- descriptions

def test_dump_load_round_trip(tmp_path):
    answers = {"nan": math.nan, "inf": math.inf, "minus_inf": -math.inf, "x": 1.5, "n": 3,
               "s": "é", "none": None, "flag": True, "blank": BLANK,
               "arrays": [np.array([1.0, np.nan]), np.arange(3, dtype=np.uint8)],
               "nested": {"mask": np.array([[True, False]]), "list": [1, [2.5, math.nan]]}}
    path = tmp_path / "answers.json"
    dump_answers(answers, path)
    json.loads(path.read_text())  # strict JSON: no NaN literal
    back = load_answers(path)
    assert math.isnan(back["nan"]) and back["inf"] == math.inf and back["minus_inf"] == -math.inf
    assert back["x"] == 1.5 and back["n"] == 3 and back["s"] == "é" and back["none"] is None
    assert back["flag"] is True and back["blank"] == BLANK
    assert np.array_equal(back["arrays"][0], answers["arrays"][0], equal_nan=True)
    assert back["arrays"][1].dtype == np.uint8
    assert back["nested"]["mask"].dtype == bool and back["nested"]["list"][1][0] == 2.5
    assert math.isnan(back["nested"]["list"][1][1])
    assert not list(tmp_path.glob("*.part*"))


def test_round_trip_of_a_described_figure(tmp_path):
    fig, ax = plt.subplots()
    ax.imshow(np.ones((2, 2)), cmap="gray")
    path = tmp_path / "a.json"
    extract_to_file({"ax": ax, "fig": fig}, ["ax", "fig", "gone"], path)
    back = load_answers(path)
    assert first_image(get_axes(back["ax"], "ax"), "ax")["cmap"]["name"] == "gray"
    assert get_array(get_axes(back["fig"], "fig")["images"][0]["array"], "a").shape == (2, 2)
    assert back["gone"]["__type__"] == "missing" and back["gone"]["after_stub"] is False


def test_load_refuses_pickles(tmp_path):
    path = tmp_path / "a.json"
    dump_answers({"v": np.zeros(2)}, path)
    with open(str(path) + ".npz", "wb") as handle:
        np.savez(handle, a0=np.array([{"evil": 1}], dtype=object))
    with pytest.raises(ValueError, match="pickle"):
        load_answers(path)


def test_load_refuses_oversized_files(tmp_path, monkeypatch):
    path = tmp_path / "a.json"
    dump_answers({"text": "x" * 500, "v": np.zeros(1000)}, path)
    monkeypatch.setattr(_core, "MAX_JSON_BYTES", 100)
    with pytest.raises(ValueError, match="answers file over"):
        load_answers(path)
    monkeypatch.setattr(_core, "MAX_JSON_BYTES", 10_000)
    monkeypatch.setattr(_core, "MAX_NPZ_BYTES", 1000)
    with pytest.raises(ValueError, match="arrays file over"):
        load_answers(path)


def test_load_refuses_a_small_archive_that_unpacks_to_much(tmp_path, monkeypatch):
    path = tmp_path / "a.json"
    dump_answers({"v": np.zeros(1)}, path)
    with zipfile.ZipFile(str(path) + ".npz", "w", compression=zipfile.ZIP_DEFLATED) as packed:
        with packed.open("a0.npy", "w") as member:
            np.lib.format.write_array(member, np.zeros(200_000))
    assert Path(str(path) + ".npz").stat().st_size < 20_000
    monkeypatch.setattr(_core, "MAX_NPZ_BYTES", 1_000_000)
    with pytest.raises(ValueError, match="unpack to over"):
        load_answers(path)


def test_learner_dicts_cannot_pose_as_descriptions(tmp_path):
    forged = {"__type__": "axes", "images": [{"__type__": "image"}]}
    path = tmp_path / "a.json"
    extract_to_file({"ax": forged, "ref": {"__array__": "a0"}, "ok": {"k": 1}},
                    ["ax", "ref", "ok"], path)
    back = load_answers(path)
    assert type_of(back["ax"]) == "dict" and back["ok"] == {"k": 1}
    assert back["ref"] == {"__type__": "dict", "pairs": [["__array__", "a0"]]}
    with pytest.raises(CheckFailed, match="got a dict"):
        get_axes(back["ax"], "ax")
    # in the notebook (not the grader) plain dicts pass through as before
    assert to_plain(forged)["__type__"] == "axes"


# --------------------------------------------------------------------------- getters

@pytest.mark.parametrize("getter", [get_array, get_number, get_string, get_axes, get_path])
def test_getters_explain_blank_missing_and_none(getter):
    with pytest.raises(CheckFailed, match=r"^`v` is still `...`: replace it with your answer"):
        getter(BLANK, "v")
    with pytest.raises(CheckFailed, match=r"^`v` is not defined: run the cells above it"):
        getter(MISSING, "v")
    with pytest.raises(CheckFailed, match=r"^`v` is None: did a function forget to `return`"):
        getter(None, "v")
    with pytest.raises(CheckFailed, match=r"^`v` could not be read \(TypeError: no\)"):
        getter({"__type__": "error", "message": "TypeError: no"}, "v")


def test_getters_on_wrong_types():
    with pytest.raises(CheckFailed, match="`a` should be a numpy array, got a str"):
        get_array("text", "a")
    with pytest.raises(CheckFailed, match=r"`a` should have 2 dimensions, it has 1 \(shape"):
        get_array(np.zeros(3), "a", ndim=2)
    with pytest.raises(CheckFailed, match=r"`a` has shape \(3,\); it should have the shape"):
        get_array(np.zeros(3), "a", shape=(4,))
    assert get_array([1, 2], "a").tolist() == [1.0, 2.0]
    with pytest.raises(CheckFailed, match="numpy cannot turn into one"):
        get_array([1, [2, 3]], "a")
    assert get_number(np.array([2.5]), "n") == 2.5
    with pytest.raises(CheckFailed, match="`n` should be a number, got a bool"):
        get_number(True, "n")
    with pytest.raises(CheckFailed, match="`n` should be a number, got a list"):
        get_number([1, 2], "n")
    with pytest.raises(CheckFailed, match="`n` is nan: it should be a finite number"):
        get_number(math.nan, "n")
    with pytest.raises(CheckFailed, match="`s` should be a string, got a int"):
        get_string(3, "s")
    with pytest.raises(CheckFailed, match=r"`ax` should be a matplotlib Axes .* got a "
                                          r"function"):
        get_axes({"__type__": "function", "name": "f"}, "ax")
    assert is_blank(BLANK) and is_blank(MISSING) and is_blank(None) and not is_blank(0)


def test_get_axes_accepts_a_one_panel_figure_and_first_image_needs_an_image():
    fig, ax = plt.subplots()
    assert get_axes(to_plain(fig), "fig")["__type__"] == "axes"
    with pytest.raises(CheckFailed, match="Nothing is drawn with `imshow` on `fig` yet"):
        first_image(get_axes(to_plain(fig), "fig"), "fig")
    two, _ = plt.subplots(1, 2)
    with pytest.raises(CheckFailed, match="`fig` is a figure with 2 panels"):
        get_axes(to_plain(two), "fig")


def test_get_path(tmp_path):
    file = tmp_path / "mesh.stl"
    file.write_text("solid")
    assert get_path(to_plain(file), "p", suffix=".STL") == file
    with pytest.raises(CheckFailed, match="`p` should be a .png file, got a name ending in"):
        get_path(str(file), "p", suffix=".png")
    with pytest.raises(CheckFailed, match="names a file that does not exist"):
        get_path(str(tmp_path / "none.stl"), "p")
    with pytest.raises(CheckFailed, match="should be a file path"):
        get_path(3, "p")
    token = _core._BASE_DIR.set(tmp_path)  # what the grader does: the learner's folder
    try:
        assert get_path("mesh.stl", "p") == file
    finally:
        _core._BASE_DIR.reset(token)


# --------------------------------------------------------------------------- checks

def make_checks() -> CheckList:
    checks = CheckList("00_example")

    @checks.add(points=2)
    def double(answer, base):
        """`answer` is twice `base`."""
        if get_number(answer, "answer") != 2 * get_number(base, "base"):
            raise CheckFailed("`answer` is not twice `base`.")

    @checks.add()
    def crashes(answer):
        """A check with a bug of its own."""
        return 1 / 0

    return checks


def test_checklist_registration_and_lookup():
    checks = make_checks()
    assert checks.names == ["double", "crashes"] and len(checks) == 2
    assert checks.max_points == 3.0 and checks.variables == ["answer", "base"]
    assert checks["double"] is checks.double and checks.double.params == ("answer", "base")
    assert checks.double.description == "`answer` is twice `base`."
    with pytest.raises(KeyError, match="00_example has no check 'nope'; its checks are: "
                                       "double, crashes"):
        checks["nope"]
    with pytest.raises(AttributeError):
        checks.nope
    with pytest.raises(ValueError, match="two checks are called 'double'"):
        checks.add()(checks.double.func)
    with pytest.raises(ValueError, match="points must be a positive number"):
        checks.add(points=0)


def test_run_verify_and_feedback_line(capsys):
    checks = make_checks()
    assert checks.double.run({"answer": 4, "base": 2}) == CheckResult("double", True, 2, 2)
    failed = checks.double.run({"answer": 5, "base": 2})
    assert not failed.passed and failed.points == 0
    assert failed.line() == "✘ double: `answer` is not twice `base`."
    missing = checks.double.verify({"answer": 4})
    assert "`base` is not defined" in missing.message
    checks.double(4, base=2)
    checks.double(..., 2)
    assert capsys.readouterr().out.splitlines() == [
        "✔ double: passed (2/2 points)",
        "✘ double: `answer` is still `...`: replace it with your answer."]


def test_a_crashing_check_is_reported_as_failed_not_raised():
    result = make_checks().crashes.verify({"answer": 1})
    assert not result.passed and result.points == 0 and result.max_points == 1
    assert result.message.startswith("could not check this answer (ZeroDivisionError)")
    assert "`answer`" in result.message


def test_for_exercise_and_exercise_names():
    names = checks_package.exercise_names()
    assert names == sorted(names)
    for name in names:
        assert checks_package.for_exercise(name).exercise == name
    with pytest.raises(KeyError, match="no exercise called '99_nothing'"):
        checks_package.for_exercise("99_nothing")




# --------------------------------------------------------------------------- variants, task data

def test_variant_from_integers_strings_and_logins(monkeypatch):
    assert _registry.variant_from(None) == 0 and _registry.variant_from("") == 0
    assert _registry.variant_from("12") == 12 and _registry.variant_from(12) == 12
    login = _registry.variant_from("octocat")
    assert login == _registry.variant_from(" OctoCat") and 0 <= login < 2**31
    assert login != _registry.variant_from("octodog")
    with pytest.raises(ValueError, match="non-negative"):
        _registry.variant_from(-1)
    with pytest.raises(TypeError, match="not a bool"):
        _registry.variant_from(True)
    monkeypatch.setenv(_registry.VARIANT_ENV, "octocat")
    assert _registry.current_variant() == login
    monkeypatch.delenv(_registry.VARIANT_ENV)
    assert _registry.current_variant() == 0


def _variant_checks():
    checks = CheckList("00_variants")
    made = []

    @checks.task_data
    def make(variant):
        made.append(variant)
        return {"answer": 10 + variant}

    @checks.add(points=1)
    def right_answer(answer, task):
        """The task's answer."""
        if get_number(answer, "answer") != task["answer"]:
            raise CheckFailed("`answer` is not the task's answer.")
    return checks, made


def test_task_data_follow_the_variant_and_are_made_once(monkeypatch):
    checks, made = _variant_checks()
    assert checks["right_answer"].params == ("answer",)
    assert checks.variables == ["answer"]
    assert checks["right_answer"].verify({"answer": 10}, variant=0).passed
    assert not checks["right_answer"].verify({"answer": 10}, variant=3).passed
    assert checks["right_answer"].verify({"answer": 13}, variant=3).passed
    checks.task(3)
    assert made == [0, 3]
    monkeypatch.setenv(_registry.VARIANT_ENV, "3")
    assert checks.task() == {"answer": 13}
    with pytest.raises(ValueError, match="registered twice"):
        checks.task_data(lambda variant: None)
    with pytest.raises(ValueError, match="has no task data"):
        CheckList("00_none").task(0)


def test_a_check_cell_without_arguments_reads_the_notebook_namespace(capsys):
    checks, _ = _variant_checks()
    namespace = {"checks": checks, "answer": 10}
    exec("checks.right_answer()", namespace)
    assert capsys.readouterr().out.startswith("✔ right_answer: passed")
    namespace["answer"] = 11
    exec("checks.right_answer()", namespace)
    assert "is not the task's answer" in capsys.readouterr().out


def test_a_missing_variable_after_a_stub_says_the_stub_still_raises(capsys, monkeypatch):
    checks, _ = _variant_checks()
    monkeypatch.setattr("sys.last_value", NotImplementedError("write your code"), raising=False)
    exec("checks.right_answer()", {"checks": checks})
    out = capsys.readouterr().out
    assert "`answer` is not defined: a code cell above still raises " \
           "NotImplementedError" in out
    monkeypatch.setattr("sys.last_value", KeyError("x"), raising=False)
    exec("checks.right_answer()", {"checks": checks})
    assert "`answer` is not defined: run the cells above" in capsys.readouterr().out
    with pytest.raises(TypeError, match="call it with no arguments"):
        checks.right_answer(1, 2)


@pytest.mark.slow
def test_in_a_real_kernel_the_check_under_a_stub_says_the_stub_still_raises():
    import nbclient
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    setup = ("from course_utils.checks import CheckList, get_number\n"
             "checks = CheckList('00_kernel')\n"
             "@checks.add(points=1)\n"
             "def c(answer):\n"
             "    get_number(answer, 'answer')\n")
    nb = new_notebook(cells=[new_code_cell(setup),
                             new_code_cell("# YOUR CODE HERE\nraise NotImplementedError()"),
                             new_code_cell("checks.c()")])
    nbclient.NotebookClient(nb, timeout=60, allow_errors=True,
                            kernel_name="python3").execute()
    printed = "".join(output.get("text", "") for output in nb.cells[2].outputs)
    assert "✘ c: `answer` is not defined: a code cell above still raises " \
           "NotImplementedError" in printed, nbformat.writes(nb)[-2000:]


def test_the_grader_too_says_a_missing_variable_follows_a_stub(tmp_path, monkeypatch):
    monkeypatch.setattr("sys.last_value", NotImplementedError(), raising=False)
    extract_to_file({}, ["answer"], tmp_path / "a.json")
    with pytest.raises(CheckFailed, match="a code cell above still raises NotImplementedError"):
        get_number(load_answers(tmp_path / "a.json")["answer"], "answer")
    monkeypatch.setattr("sys.last_value", ValueError(), raising=False)
    extract_to_file({}, ["answer"], tmp_path / "b.json")
    with pytest.raises(CheckFailed, match="is not defined: run the cells above it"):
        get_number(load_answers(tmp_path / "b.json")["answer"], "answer")


# --------------------------------------------------------------------------- forged objects
# The kernel-side extraction decides what a value is by its real class (type(value) and its MRO),
# never by isinstance (which believes __class__), by a class's name or by its __module__.

def _claims(cls):
    """An object whose ``__class__`` claims ``cls`` and whose getters say anything at all."""

    class Forged:
        __class__ = property(lambda self: cls)
        axes = None
        figure = None

        def __getattr__(self, name):          # every getter: a title, an image, a colormap...
            return lambda *args, **kwargs: "forged"

    return Forged()


@pytest.mark.parametrize("claimed", ["Axes", "Figure", "Colormap", "Normalize", "Colorbar",
                                     "AxesImage", "Line2D"])
def test_an_object_claiming_a_matplotlib_class_is_not_described(claimed):
    import matplotlib.axes
    import matplotlib.colorbar
    import matplotlib.colors
    import matplotlib.figure
    import matplotlib.image
    import matplotlib.lines

    cls = {"Axes": matplotlib.axes.Axes, "Figure": matplotlib.figure.Figure,
           "Colormap": matplotlib.colors.Colormap, "Normalize": matplotlib.colors.Normalize,
           "Colorbar": matplotlib.colorbar.Colorbar, "AxesImage": matplotlib.image.AxesImage,
           "Line2D": matplotlib.lines.Line2D}[claimed]
    forged = _claims(cls)
    assert isinstance(forged, cls)          # what isinstance believes
    plain = to_plain(forged)
    assert plain["__type__"] == "object" and plain["class"] == "Forged"
    assert _core.is_a(forged, cls) is False


def test_a_forged_class_named_and_placed_like_matplotlib_is_not_described():
    class Axes:                 # the name and the module of a real Axes, nothing else
        __module__ = "matplotlib.axes._axes"

        def get_title(self):
            return "forged"

    assert to_plain(Axes())["__type__"] == "object"

    class ScaleBar:
        __module__ = "matplotlib_scalebar.scalebar"
        info = dx = units = rotation = None

    assert to_plain(ScaleBar())["__type__"] == "object"


def test_a_forged_artist_in_a_real_axes_is_not_a_scalebar_or_line():
    from matplotlib.artist import Artist
    from matplotlib.lines import Line2D

    class ScaleBar(Artist):     # a real Artist that only borrows the scalebar's name
        info = property(lambda self: type("I", (), {"length_px": 99.0, "scale_text": "10 mm",
                                                    "value": 10, "units": "mm"})())
        dx, units, rotation = 1.0, "mm", "horizontal"

    class Pretender(Artist):
        __class__ = property(lambda self: Line2D)

    fig, ax = plt.subplots()
    ax.add_artist(ScaleBar())
    ax.add_artist(Pretender())
    described = describe_axes(ax)
    plt.close(fig)
    kinds = [artist["__type__"] for artist in described["artists"]]
    assert "scalebar" not in kinds and "line" not in kinds
    assert kinds == ["artist", "artist"]


def test_mock_with_an_axes_spec_is_not_an_axes():
    from unittest import mock

    from matplotlib.axes import Axes

    fake = mock.Mock(spec=Axes)
    assert isinstance(fake, Axes)
    assert to_plain(fake)["__type__"] in ("object", "function")


def test_forged_plotly_dicom_and_mesh_objects_get_no_tag():
    class Figure:               # has plotly's method, is no plotly figure
        def to_plotly_json(self):
            return {"data": [{"type": "isosurface"}], "layout": {}}

    class Dataset:
        __module__ = "pydicom.dataset"

        def iterall(self):
            return iter(())

    class Trimesh:
        __module__ = "trimesh.base"
        faces = vertices = np.zeros((1, 3))
        is_watertight = True

    for fake in (Figure(), Dataset(), Trimesh()):
        assert to_plain(fake)["__type__"] == "object", fake


def test_subclasses_of_plain_types_come_out_as_exact_plain_types():
    axes_tag = {"__type__": "axes", "images": []}

    class Text(str):
        def __getitem__(self, index):
            return axes_tag

        def __str__(self):
            return "other"

    class Number(float):
        def __float__(self):
            return 99.0

    class Integer(int):
        def __abs__(self):
            return 0

        def __index__(self):
            return 99

    class Items(list):
        def __iter__(self):
            return iter([axes_tag])

        def __getitem__(self, index):
            return [axes_tag]

    class Scalar(np.float64):
        def item(self):
            return axes_tag

    class Array(np.ndarray):
        dtype = property(lambda self: np.dtype("f8"))
        nbytes = 0

    class Mapping(dict):
        def items(self):
            return [("k", axes_tag)]

    out = to_plain([Text("abc"), Number(2.5), Integer(7), Items([1, 2]), Scalar(1.5),
                    Mapping(k=3)])
    assert out == ["abc", 2.5, 7, [1, 2], 1.5, {"k": 3}]
    assert [type(v) for v in out] == [str, float, int, list, float, dict]
    huge = np.zeros(10).view(Array)
    assert to_plain(huge).dtype == np.float64 and type(to_plain(huge)) is np.ndarray

    class Name(str):
        def __getitem__(self, index):
            return axes_tag

    def func():
        pass

    func.__name__ = Name("f")
    assert to_plain(func) == {"__type__": "function", "name": "f"}


def test_a_dataclass_field_cannot_overwrite_the_tag_in_the_answers_file(tmp_path):
    @dataclasses.dataclass
    class Forged:
        __type__: str
        images: list

    path = tmp_path / "a.json"
    extract_to_file({"ax": Forged("axes", [])}, ["ax"], path)
    back = load_answers(path)["ax"]
    assert back["__type__"] == "dataclass" and back["fields"]["__type__"] == "axes"
    with pytest.raises(CheckFailed):
        get_axes(back, "ax")


def test_nothing_is_trusted_for_its_module_name(tmp_path):
    """A class that says it comes from course_utils is described like any other object."""
    class Description(dict):
        __module__ = "course_utils.checks._describe"

    class Blank:
        __module__ = "course_utils.checks._plain"

    path = tmp_path / "a.json"
    extract_to_file({"ax": Description(__type__="axes", images=[]), "b": Blank()},
                    ["ax", "b"], path)
    back = load_answers(path)
    assert type_of(back["ax"]) == "dict" and type_of(back["b"]) == "object"
    with pytest.raises(CheckFailed, match="got a dict"):
        get_axes(back["ax"], "ax")
