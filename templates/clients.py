"""`make generate`, second half: the clients of clients/ from spec/openapi.yaml.

- clients/python: openapi-python-client (the field's reference generator) with the
  templates of templates/python_client/ (a `Client(url, api_key=...)` connection, a
  setuptools pyproject whose version is the spec's). The generator owns the modules
  it writes (GENERATED_PYTHON) and this driver replaces them whole; everything else
  in the package (the worker SDK, the CLI, the README) is written by people.
- clients/typescript: openapi-typescript writes src/schema.ts (the spec's types for
  openapi-fetch); package.json and package-lock.json take the spec's version.

    python -m templates.clients [--spec spec/openapi.yaml]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

TEMPLATE_DIR = Path(__file__).parent
ROOT = TEMPLATE_DIR.parent
PYTHON_CLIENT = ROOT / "clients" / "python"
TS_CLIENT = ROOT / "clients" / "typescript"
PACKAGE = "valkyr_client"
# what openapi-python-client writes; nothing else under clients/python is touched
GENERATED_PYTHON = (
    f"{PACKAGE}/api",
    f"{PACKAGE}/models",
    f"{PACKAGE}/__init__.py",
    f"{PACKAGE}/client.py",
    f"{PACKAGE}/errors.py",
    f"{PACKAGE}/types.py",
    f"{PACKAGE}/py.typed",
    "pyproject.toml",
)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def generate_python(spec_path: Path, out: Path = PYTHON_CLIENT) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "valkyr-client"
        # its post hooks run `ruff` from PATH: this interpreter's
        path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
        env = {**os.environ, "PATH": path}
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "openapi_python_client",
                "generate",
                "--path",
                str(spec_path),
                "--config",
                str(TEMPLATE_DIR / "python_client" / "config.yaml"),
                "--custom-template-path",
                str(TEMPLATE_DIR / "python_client"),
                "--meta",
                "uv",
                "--output-path",
                str(project),
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0 or not (project / PACKAGE / "client.py").exists():
            raise SystemExit(f"openapi-python-client failed:\n{done.stdout}\n{done.stderr}")
        for rel in GENERATED_PYTHON:
            _remove(out / rel)
            source = project / rel
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(source), str(out / rel))


def _set_version(path: Path, version: str) -> None:
    doc = json.loads(path.read_text())
    doc["version"] = version
    if "packages" in doc and "" in doc["packages"]:  # package-lock.json: the root package
        doc["packages"][""]["version"] = version
    path.write_text(json.dumps(doc, indent=2) + "\n")


def generate_typescript(spec_path: Path, version: str, out: Path = TS_CLIENT) -> None:
    tool = out / "node_modules" / ".bin" / "openapi-typescript"
    if not tool.exists():
        raise SystemExit(
            f"{tool} is missing: run `npm ci` in {out} (make generate does it on first use)"
        )
    subprocess.run(
        [str(tool), str(spec_path), "--output", str(out / "src" / "schema.ts")],
        check=True,
        cwd=out,
        capture_output=True,
    )
    for name in ("package.json", "package-lock.json"):
        _set_version(out / name, version)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, default=ROOT / "spec" / "openapi.yaml")
    args = parser.parse_args(argv)
    spec_path = args.spec.resolve()
    version = str(yaml.safe_load(spec_path.read_text())["info"]["version"])
    generate_python(spec_path)
    generate_typescript(spec_path, version)


if __name__ == "__main__":
    main()
