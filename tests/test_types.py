"""The annotations are checked: mypy passes on the whole package (configured in pyproject.toml).

Every module is held to --strict except those on the ratchet list, which only shrinks: a listed
module that passes --strict must leave the list, so it cannot slip back.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

# What `mypy --strict` turns on (mypy 1.20), split as mypy's configuration requires.
STRICT_GLOBAL_ONLY = {"warn_unused_configs", "warn_redundant_casts", "strict_bytes"}
STRICT_PER_MODULE = {
    "check_untyped_defs",
    "disallow_any_generics",
    "disallow_incomplete_defs",
    "disallow_subclassing_any",
    "disallow_untyped_calls",
    "disallow_untyped_decorators",
    "disallow_untyped_defs",
    "extra_checks",
    "no_implicit_reexport",
    "strict_equality",
    "warn_return_any",
    "warn_unused_ignores",
}
CORE = ("mediator.domain", "mediator.store")


def _mypy_config() -> dict[str, Any]:
    with (ROOT / "pyproject.toml").open("rb") as file:
        config: dict[str, Any] = tomllib.load(file)["tool"]["mypy"]
    return config


def _overrides() -> list[dict[str, Any]]:
    overrides: list[dict[str, Any]] = _mypy_config()["overrides"]
    return overrides


def _ratchet() -> list[str]:
    """The modules not yet strict: the override that turns strict flags off."""
    (ratchet,) = [o for o in _overrides() if o.get("disallow_untyped_calls") is False]
    modules: list[str] = ratchet["module"]
    return modules


def _mypy(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


class _BackgroundMypy:
    """The configured run of mypy started as soon as the tests are collected (tests/conftest.py),
    so that its 30-40 s on PySide6's stubs and the package use the second core while the other
    tests run, at a lower priority than theirs; the test below waits for its result."""

    def __init__(self) -> None:
        self._output = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 - closed by result() or stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mypy", "--no-error-summary"],
            cwd=ROOT,
            stdout=self._output,
            stderr=subprocess.STDOUT,
            text=True,
        )
        if hasattr(os, "setpriority"):
            with contextlib.suppress(OSError):  # it only runs at the tests' priority then
                os.setpriority(os.PRIO_PROCESS, self.process.pid, 10)

    def result(self) -> tuple[int, str]:
        code = self.process.wait()
        self._output.seek(0)
        output = self._output.read()
        self._output.close()
        return code, output

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._output.close()


_background: list[_BackgroundMypy] = []


def start_background_mypy(nodeids: set[str]) -> None:
    """Called by conftest once the session's tests are known: start mypy if its test will run."""
    if f"tests/test_types.py::{test_mypy_passes_on_the_package.__name__}" in nodeids:
        _background.append(_BackgroundMypy())


def stop_background_mypy() -> None:
    """Called by conftest at the session's end: a run no test waited for is stopped."""
    while _background:
        _background.pop().stop()


def test_mypy_passes_on_the_package() -> None:
    if _background:
        code, output = _background.pop().result()
    else:
        result = _mypy()
        code, output = result.returncode, result.stdout + result.stderr
    assert code == 0, output


def test_strict_is_the_default_and_the_core_carries_every_strict_flag() -> None:
    config = _mypy_config()
    assert {flag for flag in STRICT_GLOBAL_ONLY | STRICT_PER_MODULE if config.get(flag) is not True} == set()
    (core,) = [o for o in _overrides() if "mediator.domain.*" in o["module"]]
    assert set(core["module"]) == {"mediator.domain.*", "mediator.store.*"}
    assert {flag for flag in STRICT_PER_MODULE if core.get(flag) is not True} == set()


def test_the_ratchet_lists_existing_modules_outside_the_core() -> None:
    modules = _ratchet()
    assert modules == sorted(set(modules))
    for module in modules:
        assert not module.startswith(CORE), f"{module}: domain and store are never relaxed"
        path = ROOT / Path(*module.split("."))
        assert path.with_suffix(".py").is_file() or (path / "__init__.py").is_file(), module


def _ini_value(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(value)
    return str(value)


def _config_without_the_ratchet(path: Path) -> Path:
    """pyproject's mypy configuration as a mypy.ini, all of it except the ratchet's override."""
    config = _mypy_config()
    lines = ["[mypy]"]
    globals_ = {key: value for key, value in config.items() if key not in ("overrides", "files")}
    lines += [f"{key} = {_ini_value(value)}" for key, value in globals_.items()]
    ratchet = set(_ratchet())
    for override in _overrides():
        if set(override["module"]) == ratchet:
            continue
        lines.append(f"[mypy-{','.join(override['module'])}]")
        lines += [f"{key} = {_ini_value(value)}" for key, value in override.items() if key != "module"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_every_module_on_the_ratchet_still_fails_strict(tmp_path: Path) -> None:
    # --strict on the configuration without the ratchet. Every other module's options are then the
    # configured run's (the test above asserts the configuration carries every --strict flag), so
    # this run shares its cache and rechecks only the ratchet's modules: seconds, not a whole
    # second run of mypy over PySide6's stubs.
    config = _config_without_the_ratchet(tmp_path / "mypy.ini")
    for run in _background:  # never two runs on one cache at once
        run.process.wait()
    result = _mypy("--config-file", str(config), "--strict", "mediator")
    failing = {
        line.split(":", 1)[0].removesuffix(".py").replace("/", ".").removesuffix(".__init__")
        for line in result.stdout.splitlines()
        if ": error:" in line
    }
    passing = sorted(set(_ratchet()) - failing)
    assert passing == [], f"these pass --strict now, take them off the ratchet in pyproject.toml: {passing}"
