"""Sphinx configuration: `make docs` builds the HTML docs with warnings as errors.

- User guide: the Markdown pages in this folder (MyST).
- Gallery: every ``examples/plot_*.py`` is executed by sphinx-gallery and rendered to
  ``gallery/`` with its printed output and figures. Unchanged examples are not rerun on the
  next build (sphinx-gallery keeps an md5 of each script next to its output).
- API reference: ``api/`` is generated at every build from the public names, i.e. each
  module named in ``cortexkit.__all__`` (and each ``cortexkit.plot.*`` module) with its own
  ``__all__`` (see ``_apigen.py``); ``tools/check_api_docs.py`` checks afterwards that every
  public name has an entry.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _apigen import write_api_pages  # noqa: E402
from _cligen import write_cli_help  # noqa: E402
from _tocgen import write_toc_pages  # noqa: E402

import cortexkit  # noqa: E402

project = "cortexkit"
author = "the cortexkit developers"
copyright = "the cortexkit developers"  # noqa: A001
release = cortexkit.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "_templates", "examples", "_generated", "**.ipynb_checkpoints",
                    "gallery/*.py", "gallery/*.ipynb", "gallery/*.zip", "gallery/*.md5",
                    "gallery/*.pickle", "gallery/*.json"]
templates_path = ["_templates"]

# ---------------------------------------------------------------- API reference
autosummary_imported_members = True
autodoc_default_options = {"members": False}
autodoc_typehints = "none"  # numpydoc sections carry the types
numpydoc_show_class_members = False  # the class template lists members itself
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# ---------------------------------------------------------------- Markdown (MyST)
myst_enable_extensions = ["dollarmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

# ---------------------------------------------------------------- gallery
sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "gallery",
    "filename_pattern": r"/plot_",  # every plot_*.py is executed
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "remove_config_comments": True,
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
    "reset_modules": ("matplotlib",),
    "abort_on_example_error": False,  # report every failing example (the build still fails)
    "only_warn_on_example_error": False,
    "show_memory": False,
    "show_signature": False,
    "copyfile_regex": "",
}

# ---------------------------------------------------------------- HTML
html_theme = "pydata_sphinx_theme"
html_title = f"cortexkit {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "header_links_before_dropdown": 6,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": [],
}
html_show_sourcelink = False
html_static_path: list[str] = []

# Examples run headless; the model cache of the encoding examples is kept with the build
# so a rebuild reuses the trained networks.
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("CORTEXKIT_CACHE_DIR", str(HERE / "_build" / "cortexkit-cache"))


# Generated sources (git-ignored): the API pages, every command's --help, the guide and
# tutorial tables of contents.
_API = write_api_pages(HERE / "api")
# the stubs of every API page, also in an incremental build that found the pages earlier
autosummary_generate = [f"api/{module}.rst" for module in _API]
write_cli_help(HERE / "_generated" / "cli-commands.md")
write_toc_pages(HERE)


def setup(app):  # noqa: D103
    from sphinx.domains.python import PythonDomain

    class _PythonDomain(PythonDomain):
        """A class exported by two public modules (``ck.SpikeTrains``, ``ck.core.SpikeTrains``)
        is documented under both names; autodoc gives each the same canonical name (its
        defining module), which is noted once instead of warning about a duplicate."""

        def note_object(self, name, objtype, node_id, aliased=False, location=None):
            if aliased and name in self.objects and self.objects[name].aliased:
                return
            super().note_object(name, objtype, node_id, aliased=aliased, location=location)

    app.add_domain(_PythonDomain, override=True)
