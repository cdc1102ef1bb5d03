"""The README's library tour runs as written (so the docs cannot drift from the API)."""

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def test_quick_start_is_the_two_commands():
    text = README.read_text()
    block = text.split("## Quick start", 1)[1].split("```", 2)[1]
    assert [ln.strip() for ln in block.strip().splitlines()] == ["make demo", "make test"]


@pytest.mark.slow
def test_library_tour_runs():
    code = re.search(r"```python\n(.*?)```", README.read_text(), re.S).group(1)
    namespace: dict = {}
    exec(compile(code, str(README), "exec"), namespace)  # our own README, not user data
    assert namespace["stats"].shape[0] == namespace["st"].n_units
    assert -1.0 <= namespace["ck"].rsa.compare(
        namespace["ck"].rsa.rdm(namespace["v1"].responses),
        namespace["ck"].rsa.rdm(namespace["layers"]["pool"])) <= 1.0
