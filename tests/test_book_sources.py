"""Every chapter (book/NN_skill.md) has the structure the course promises.

Static checks on the MyST sources (read with jupytext): title and time as in the instructor
guide, the learning-objectives admonition, the hidden deprecation cell exactly as written in
the authors' brief, ``## Pitfalls``, ``## Key points``, ``## Exercise`` with a download link to
the exercise notebook, a caption or alt text on every figure, no deprecated API in the code.
When the book is built (``bash setup.sh``), the executed notebooks say exactly which cells
drew a figure, and those are checked too.

The last test runs the deprecation cell in a real kernel: a deprecated call made after it
is an error.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
EXECUTED = ROOT / "_build" / "jupyter_execute" / "book"

# file stem: (title, reading minutes, exercise minutes); fixed (the instructor guide uses them)
CHAPTERS = {
    "01_dicom_basics": ("DICOM basics", 20, 20),
    "02_hounsfield_units": ("Hounsfield units", 20, 15),
    "03_windowing": ("Windowing", 20, 15),
    "04_volumes_orientation": ("Volumes, planes and orientation", 30, 20),
    "05_heatmap_overlays": ("Heatmap overlays", 20, 15),
    "06_segmentation_masks": ("Segmentation masks", 20, 20),
    "07_contours": ("Contours: ground truth vs prediction", 20, 15),
    "08_difference_images": ("Difference images", 15, 15),
    "09_annotations": ("Annotations, scalebars and profiles", 15, 15),
    "10_publication_figures": ("Mosaics and publication figures", 20, 20),
    "11_meshes": ("3D meshes", 20, 15),
    "12_capstone": ("Capstone: from a DICOM folder to a figure and a mesh", 15, 45),
}

# The first code cell of every chapter, exactly (the authors' brief, BOOK.md).
DEPRECATION_CELL = textwrap.dedent('''\
    ```{code-cell} ipython3
    :tags: [remove-cell]
    # Deprecated APIs are errors in the course's own code (see the instructor guide).
    import warnings
    for category in (DeprecationWarning, PendingDeprecationWarning, FutureWarning):
        warnings.filterwarnings("error", category=category, module=r"(__main__|course_utils)")
    ```''')
DEPRECATION_CODE = DEPRECATION_CELL.split("\n", 2)[2].rsplit("\n", 1)[0]

# Deprecated or removed APIs (DESIGN.md) that chapter code must not call.
DEPRECATED = {
    r"\bpydicom\.read_file\b|\bdicom\.read_file\b": "pydicom.read_file (use pydicom.dcmread)",
    r"\bpixel_data_handlers\b": "pydicom.pixel_data_handlers (use pydicom.pixels)",
    r"\.get_data\(\)": "nibabel get_data() (use get_fdata())",
    r"\bmarching_cubes_lewiner\b": "marching_cubes_lewiner (use skimage.measure.marching_cubes)",
    r"\bndimage\.interpolation\b|\bndimage\.morphology\b":
        "scipy.ndimage.interpolation/morphology namespaces (import from scipy.ndimage)",
    r"\bmorphology\.binary_\w+": "skimage.morphology.binary_* (use the non-binary names)",
    r"\bcm\.get_cmap\b": "matplotlib.cm.get_cmap (use matplotlib.colormaps[name])",
    r"\bchart_studio\b": "plotly chart_studio",
    r"\bgraph_objs\.(Data|Scene|XAxis|Line)\b": "plotly graph_objs.Data/Scene/XAxis/Line",
    r"\bplt\.show\(\)": "plt.show() (myst-nb shows the figure; end the cell with ';')",
}

# Calls that draw a matplotlib figure (for the static caption check).
DRAWS = re.compile(r"\bplt\.(subplots|figure|subplot_mosaic|imshow|plot)\(|"
                   r"\b(show_slice|window_panel|montage|plot_profile|plot_mesh|"
                   r"compare_contours|overlay_heatmap|overlay_mask|overlay_labels|"
                   r"show_difference|draw_contour)\(")
SHOWS_NOTHING = {"remove-cell", "remove-output"}


def _text(stem: str) -> str:
    path = BOOK / f"{stem}.md"
    assert path.is_file(), f"{path.relative_to(ROOT)} is missing"
    return path.read_text(encoding="utf-8")


def _notebook(stem: str):
    import jupytext

    return jupytext.read(BOOK / f"{stem}.md")


def _code(cell) -> str:
    """The cell's code without comments and strings' insides are kept (good enough)."""
    return "\n".join(line.split("#", 1)[0] for line in cell.source.splitlines())


def _has_caption_or_alt(metadata) -> bool:
    mystnb = metadata.get("mystnb", {}) or {}
    caption = (mystnb.get("figure", {}) or {}).get("caption")
    alt = (mystnb.get("image", {}) or {}).get("alt")
    return bool(caption and str(caption).strip()) or bool(alt and str(alt).strip())


def _section(text: str, heading: str) -> str:
    """The text under ``## heading`` up to the next ``## `` heading."""
    match = re.search(rf"^## {re.escape(heading)}[ \t]*\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    return match.group(1) if match else ""


@pytest.fixture(params=sorted(CHAPTERS), ids=sorted(CHAPTERS))
def stem(request):
    return request.param


def test_header_title_and_kernel(stem):
    text = _text(stem)
    title, _, _ = CHAPTERS[stem]
    assert text.startswith("---\njupytext:"), "start from book/setup.md's jupytext header"
    assert re.search(r"^kernelspec:\n(  .*\n)*  name: python3$", text, re.M), \
        "the front matter needs kernelspec name: python3"
    number = int(stem[:2])
    headings = re.findall(r"^# (.+)$", _strip_code(text), re.M)
    assert headings and headings[0] == f"{number}. {title}", \
        f"the first heading must be '# {number}. {title}', got {headings[:1]}"


def _strip_code(text: str) -> str:
    """Markdown without fenced blocks (``# comments`` in code are not headings)."""
    return re.sub(r"^(`{3,})[^\n]*\n.*?^\1[ \t]*$", "", text, flags=re.M | re.S)


def test_learning_objectives_with_the_time(stem):
    text = _text(stem)
    _, reading, exercise = CHAPTERS[stem]
    block = re.search(r"^(`{3,})\{admonition\} In this chapter\n(.*?)^\1[ \t]*$", text,
                      re.M | re.S)
    assert block, "missing the ```{admonition} In this chapter block (learning objectives)"
    body = block.group(2)
    assert ":class: tip" in body
    time = f"**Time:** about {reading} minutes to read, {exercise} for the exercise."
    assert time in body, f"the admonition must say: {time}"
    assert re.search(r"^- \S", body, re.M), "list the objectives as bullets ('You will learn to:')"


def test_first_code_cell_is_the_deprecation_cell(stem):
    text = _text(stem)
    assert DEPRECATION_CELL in text, "the deprecation cell must be exactly as in BOOK.md"
    code_cells = [c for c in _notebook(stem).cells if c.cell_type == "code"]
    assert code_cells, "the chapter has no code cell"
    first = code_cells[0]
    assert first.source.strip() == DEPRECATION_CODE.strip(), \
        "the deprecation cell must be the first code cell"
    assert "remove-cell" in first.metadata.get("tags", [])


def test_pitfalls_key_points_and_exercise_sections(stem):
    text = _strip_code(_text(stem))
    order = [m.group(1) for m in re.finditer(r"^## (Pitfalls|Key points|Exercise)[ \t]*$",
                                             text, re.M)]
    assert order == ["Pitfalls", "Key points", "Exercise"], \
        f"need '## Pitfalls', '## Key points', '## Exercise' once each, in that order: {order}"
    assert re.search(r"^[-*] \S", _section(text, "Key points"), re.M), \
        "## Key points must be a bullet list"


def test_exercise_section_links_the_notebook(stem):
    section = _section(_strip_code(_text(stem)), "Exercise")
    link = f"{{download}}`exercises/{stem}.ipynb <../exercises/{stem}.ipynb>`"
    assert link in section, f"## Exercise must contain the download link {link}"
    assert (ROOT / "exercises" / f"{stem}.ipynb").is_file(), \
        f"exercises/{stem}.ipynb does not exist (generate it from solutions/)"
    assert f"solutions/{stem}.ipynb" in section, "say where the solution is"
    assert f"python -m course_utils.grade exercises/{stem}.ipynb" in section, \
        "say how to check the work"


def test_no_deprecated_api_in_code(stem):
    found = []
    for index, cell in enumerate(_notebook(stem).cells):
        if cell.cell_type != "code":
            continue
        code = _code(cell)
        found += [f"cell {index}: {name}" for pattern, name in DEPRECATED.items()
                  if re.search(pattern, code)]
    assert not found, "deprecated or unwanted calls in code cells:\n  " + "\n  ".join(found)


CODE_WIDTH = 79  # what a code box on a book page shows without scrolling


def test_code_lines_fit_the_code_box(stem):
    long_lines = []
    for index, cell in enumerate(_notebook(stem).cells):
        tags = cell.metadata.get("tags", [])
        if cell.cell_type != "code" or "remove-cell" in tags or "remove-input" in tags:
            continue
        long_lines += [f"cell {index}: {line}" for line in cell.source.splitlines()
                       if len(line) > CODE_WIDTH]
    assert not long_lines, (f"code lines over {CODE_WIDTH} characters (cut off on the page):"
                            "\n  " + "\n  ".join(long_lines))


def test_figure_cells_have_a_caption_or_alt_text(stem):
    missing = []
    for index, cell in enumerate(_notebook(stem).cells):
        if cell.cell_type != "code" or SHOWS_NOTHING & set(cell.metadata.get("tags", [])):
            continue
        code = _code(cell)
        if DRAWS.search(code) and "plt.close(" not in code and \
                not _has_caption_or_alt(cell.metadata):
            first = next((line for line in cell.source.splitlines() if line.strip()), "")
            missing.append(f"cell {index} ({first.strip()[:60]})")
    assert not missing, ("cells that draw a figure without mystnb figure.caption or image.alt "
                         "metadata:\n  " + "\n  ".join(missing))


def test_executed_figures_have_a_caption_or_alt_text(stem):
    """The executed notebook says exactly which cells showed an image."""
    import nbformat

    path = EXECUTED / f"{stem}.ipynb"
    assert path.is_file(), f"{path.relative_to(ROOT)} is missing: build the book (setup.sh)"
    notebook = nbformat.read(path, as_version=4)
    missing, several = [], []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        images = [o for o in cell.get("outputs", [])
                  if any(k.startswith("image/") for k in o.get("data", {}))]
        if images and not _has_caption_or_alt(cell.metadata):
            missing.append(f"cell {index} ({cell.source.strip().splitlines()[0][:60]})")
        if len(images) > 1 and _has_caption_or_alt(cell.metadata):
            several.append(f"cell {index}: {len(images)} images share one caption")
    assert not missing, ("cells that showed an image without a caption or alt text:\n  "
                         + "\n  ".join(missing))
    assert not several, "one figure per cell:\n  " + "\n  ".join(several)


def test_deprecation_cell_turns_deprecated_calls_into_errors(tmp_path):
    """In a real kernel: after the cell, a deprecated call in the notebook raises."""
    import nbformat
    from nbclient import NotebookClient

    (tmp_path / "old_library.py").write_text(textwrap.dedent('''\
        import warnings

        def old_api():
            """Deprecated like libraries do it: the warning points at the caller."""
            warnings.warn("old_api() is deprecated", DeprecationWarning, stacklevel=2)
            return 1

        def uses_old_api_inside():
            """A library's own deprecated use: the warning points inside the library."""
            warnings.warn("internal use", DeprecationWarning, stacklevel=1)
            return 2
        '''))
    cells = [
        "import numpy as np\nimport old_library\nold_library.old_api()",     # before: a warning
        DEPRECATION_CODE,
        "old_library.old_api()",                                            # now an error
        "np.row_stack([[1], [2]])",  # numpy 2.4 deprecates the alias (a real deprecated API)
        "old_library.uses_old_api_inside()",                     # not the course's code: fine
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    NotebookClient(notebook, timeout=60, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = {i: next((o.get("ename") for o in cell.outputs if o.output_type == "error"), None)
              for i, cell in enumerate(notebook.cells)}
    assert errors == {0: None, 1: None, 2: "DeprecationWarning", 3: "DeprecationWarning",
                      4: None}, errors
