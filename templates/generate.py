"""`make generate`: render generated/ from spec/openapi.yaml.

The generator owns its output folder: it renders into a scratch folder, formats
it, and then replaces the output folder whole, so a second run is
byte-identical and nothing stale survives.

    python -m templates.generate [--spec spec/openapi.yaml] [--out generated]
                                 [--no-models]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import jinja2
import yaml

from templates.model import ApiModel, snake
from templates.parser import parse

TEMPLATE_DIR = Path(__file__).parent
ROOT = TEMPLATE_DIR.parent


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["snake"] = snake
    return env


def _allowed_methods(api: ApiModel) -> list[tuple[str, list[str]]]:
    by_path: dict[str, list[str]] = {}
    for op in api.operations:
        by_path.setdefault(op.path, []).append(op.method)
    return sorted((p, sorted(ms)) for p, ms in by_path.items())


def render(api: ApiModel, out: Path, source: str) -> None:
    env = _env()

    def write(rel: str, template: str, **ctx: object) -> None:
        text = env.get_template(template).render(source=source, template=template, **ctx)
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    header = env.get_template("header.jinja")
    for pkg in ("", "repositories/", "routes/"):
        init = header.render(source=source, template="header.jinja")
        (out / pkg).mkdir(parents=True, exist_ok=True)
        (out / pkg / "__init__.py").write_text(init)
    write("runtime.py", "runtime.py.jinja")
    write("store.py", "store.py.jinja")
    write("serializers.py", "serializers.py.jinja", resources=api.resources)
    write("constants.py", "constants.py.jinja", c=api.constants)
    write("tables.py", "tables.py.jinja", tables=api.tables)
    write("operations.py", "operations.py.jinja", api=api, allowed=_allowed_methods(api))
    for r in api.resources:
        write(f"repositories/{r.module}.py", "repository.py.jinja", r=r)
    for g in api.groups:
        write(f"routes/{g.module}.py", "routes.py.jinja", g=g)


def _run(cmd: list[str]) -> None:
    subprocess.run(cmd, check=True, cwd=ROOT)


def render_models(spec_path: Path, out: Path) -> None:
    """API models through datamodel-code-generator, with the flags in pyproject.toml."""
    _run(
        [
            sys.executable,
            "-m",
            "datamodel_code_generator",
            "--input",
            str(spec_path),
            "--output",
            str(out / "models.py"),
        ]
    )


def format_tree(out: Path) -> None:
    ruff = [sys.executable, "-m", "ruff"]
    _run(
        [
            *ruff,
            "check",
            "--quiet",
            "--fix-only",
            "--select",
            "I,F401",
            "--isolated",
            "--line-length",
            "100",
            str(out),
        ]
    )
    _run([*ruff, "format", "--quiet", "--isolated", "--line-length", "100", str(out)])


def generate(spec_path: Path, out: Path, *, models: bool = True) -> None:
    spec = yaml.safe_load(spec_path.read_text())
    api = parse(spec)
    try:
        source = str(spec_path.resolve().relative_to(ROOT))
    except ValueError:
        source = spec_path.name
    with tempfile.TemporaryDirectory(dir=out.parent if out.parent.exists() else None) as tmp:
        scratch = Path(tmp) / out.name
        render(api, scratch, source)
        if models:
            render_models(spec_path, scratch)
        format_tree(scratch)
        if out.exists():
            shutil.rmtree(out)
        shutil.move(str(scratch), str(out))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, default=ROOT / "spec" / "openapi.yaml")
    parser.add_argument("--out", type=Path, default=ROOT / "generated")
    parser.add_argument(
        "--no-models",
        action="store_true",
        help="skip datamodel-code-generator (used by the golden tests)",
    )
    args = parser.parse_args(argv)
    generate(args.spec, args.out, models=not args.no_models)


if __name__ == "__main__":
    main()
