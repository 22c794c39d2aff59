"""The course book's own Sphinx extension: everything the pages need is served by the book.

- plotly.js: copied from the installed ``plotly`` package into ``_static/plotly.min.js`` once
  per build and loaded (a ``<script>`` in the page's head) only on the pages whose body holds a
  plotly figure (``class="plotly-graph-div"``, written by ``course_utils.interactive.show``).
  Nothing is embedded in the pages, nothing comes from a CDN, and the browser caches the one
  file for every page.
- MathJax 3: the part the book uses (``tex-chtml.js``, its fonts, the TeX extensions it may
  autoload, the accessibility and menu components) is copied from the PyPI package
  ``sphinx-mathjax-offline`` into ``_static/mathjax/``; ``_config.yml`` points ``mathjax_path``
  at it. (That package's own extension copies all 24 MB of MathJax: the site stays lighter.)
- ``COURSE_UTILS_BOOK=1`` in the environment of the kernels that execute the chapters, so
  ``course_utils.interactive.show`` writes HTML only (myst-nb warns about, and drops, the
  plotly JSON output, and the book is built with warnings as errors).
- The Colab launch button: Colab opens only ``.ipynb`` files, and the chapters are MyST
  markdown, so on a chapter page the button opens the chapter's exercise notebook
  (``exercises/NN_skill.ipynb``) and on the other pages it is removed.

- The themes' source maps (``_static/**/*.map``, 3.3 MB, read only by a browser's developer
  tools) are left out of the site, which must stay under 40 MB.

Copies are skipped when the file in ``_static`` already has the source's size and time, so a
rebuild with nothing changed copies nothing.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

PLOTLY_JS = "plotly.min.js"
MATHJAX_DIR = "mathjax"
# the parts of MathJax 3 that tex-chtml.js may load (fonts, autoloaded TeX packages, the
# menu's accessibility components), 2.5 MB; "sre" (speech, 4 MB) is left out: it loads only
# when a reader turns speech on in MathJax's menu
MATHJAX_PARTS = ("tex-chtml.js", "output/chtml/fonts/woff-v2", "input/tex/extensions",
                 "a11y", "ui")
PLOTLY_DIV = 'class="plotly-graph-div"'
BOOK_ENV = "COURSE_UTILS_BOOK"  # course_utils.interactive.BOOK_ENV (not imported: no cycle)
CHAPTER = re.compile(r"^book/(\d\d_[a-z0-9_]+)$")


def plotly_js_source() -> Path:
    """The plotly.min.js that ships inside the installed plotly package."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or spec.origin is None:
        raise ExtensionError("course_book: plotly is not installed; run "
                             "`pip install -r requirements.txt`")
    path = Path(spec.origin).parent / "package_data" / PLOTLY_JS
    if not path.is_file():
        raise ExtensionError(f"course_book: {path} is missing; reinstall plotly")
    return path


def mathjax_source() -> Path:
    """The MathJax 3 folder that ships inside the PyPI package sphinx-mathjax-offline."""
    spec = importlib.util.find_spec("sphinx-mathjax-offline")
    if spec is None or spec.origin is None:
        raise ExtensionError("course_book: sphinx-mathjax-offline is not installed (it "
                             "provides the book's local MathJax); run "
                             "`pip install -r requirements.txt`")
    path = Path(spec.origin).parent / "static" / "mathjax"
    if not (path / "tex-chtml.js").is_file():
        raise ExtensionError(f"course_book: {path / 'tex-chtml.js'} is missing; reinstall "
                             "sphinx-mathjax-offline")
    return path


def _copy_if_changed(source: Path, target: Path) -> int:
    """Copy one file unless ``target`` already has its size and time; return 1 if copied."""
    stat = source.stat()
    if target.is_file():
        tstat = target.stat()
        if tstat.st_size == stat.st_size and int(tstat.st_mtime) == int(stat.st_mtime):
            return 0
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)
    return 1


def _copy_tree(source: Path, target: Path) -> int:
    if source.is_file():
        return _copy_if_changed(source, target)
    return sum(_copy_if_changed(path, target / path.relative_to(source))
               for path in sorted(source.rglob("*")) if path.is_file())


def copy_assets(app: Sphinx) -> None:
    """Put plotly.min.js and the local MathJax into the output's ``_static``."""
    if app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    copied = _copy_if_changed(plotly_js_source(), static / PLOTLY_JS)
    mathjax = mathjax_source()
    for part in MATHJAX_PARTS:
        if (mathjax / part).exists():
            copied += _copy_tree(mathjax / part, static / MATHJAX_DIR / part)
    if copied:
        logger.info(f"course_book: copied {copied} static file(s) (plotly.js, MathJax)")


def remove_source_maps(app: Sphinx, exception: Exception | None) -> None:
    """Delete the themes' ``.map`` files from the output (developer-tools only, 3.3 MB)."""
    if app.builder.format != "html":
        return
    for path in (Path(app.outdir) / "_static").rglob("*.map"):
        path.unlink()


def check_mathjax_is_local(app: Sphinx, config: Any) -> None:
    """Refuse a MathJax path on another host: the book must work offline."""
    path = str(config.mathjax_path or "")
    if "://" in path or path.startswith("//"):
        raise ExtensionError(f"course_book: mathjax_path is {path!r}, a remote URL; set it to "
                             f"'{MATHJAX_DIR}/tex-chtml.js' (served from _static)")


def add_plotly_where_needed(app: Sphinx, pagename: str, templatename: str,
                            context: dict[str, Any], doctree: Any) -> None:
    """Load plotly.js on this page only if its body holds a plotly figure."""
    if PLOTLY_DIV in context.get("body", ""):
        # a script in the head, before the inline figure scripts in the body run
        app.add_js_file(PLOTLY_JS, priority=400)


def drop_duplicate_inline_scripts(app: Sphinx, pagename: str, templatename: str,
                                  context: dict[str, Any], doctree: Any) -> None:
    """Keep one copy of each inline script.

    Sphinx 7.4 adds an inline script (``add_js_file(None, body=...)``) registered after the
    builder starts twice (once as ``None``, once as ``''``): sphinx-thebe's
    ``const THEBE_JS_URL`` then throws "already been declared" in the console.
    """
    scripts = context.get("script_files")
    if not isinstance(scripts, list):
        return
    seen, kept = set(), []
    for script in scripts:
        attributes = getattr(script, "attributes", None)
        key = ((getattr(script, "filename", None) or "", getattr(script, "priority", None),
                tuple(sorted(attributes.items()))) if isinstance(attributes, dict)
               else id(script))
        if key not in seen:
            seen.add(key)
            kept.append(script)
    scripts[:] = kept


def fix_colab_button(app: Sphinx, pagename: str, templatename: str,
                     context: dict[str, Any], doctree: Any) -> None:
    """Point Colab at the chapter's exercise notebook (Colab opens .ipynb only)."""
    for group in context.get("header_buttons", []):
        if group.get("label") != "launch-buttons":
            continue
        buttons = group.get("buttons", [])
        for button in list(buttons):
            if button.get("text") != "Colab":
                continue
            match = CHAPTER.match(pagename)
            exercise = (Path(app.srcdir) / "exercises" / f"{match.group(1)}.ipynb"
                        if match else None)
            if exercise is None or not exercise.is_file():
                buttons.remove(button)
                continue
            button["url"] = re.sub(r"/blob/([^/]+)/.*$", rf"/blob/\1/exercises/{exercise.name}",
                                   button["url"])
            button["tooltip"] = "Open this chapter's exercise notebook in Colab"


def setup(app: Sphinx) -> dict[str, Any]:
    os.environ[BOOK_ENV] = "1"  # inherited by the kernels that execute the chapters
    app.connect("config-inited", check_mathjax_is_local)
    app.connect("builder-inited", copy_assets)
    app.connect("build-finished", remove_source_maps)
    app.connect("html-page-context", add_plotly_where_needed)
    app.connect("html-page-context", drop_duplicate_inline_scripts, priority=900)
    # after sphinx-book-theme has made the launch buttons (its handler has priority 501)
    app.connect("html-page-context", fix_colab_button, priority=600)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
