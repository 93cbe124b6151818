"""frontend/src/api/generated.ts is what frontend/scripts/gen-types.py makes of the models."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "frontend" / "scripts" / "gen-types.py"
GENERATED = ROOT / "frontend" / "src" / "api" / "generated.ts"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_types", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_types_are_current(tmp_path: Path) -> None:
    fresh = tmp_path / "generated.ts"
    subprocess.run(
        [sys.executable, str(SCRIPT), "--output", str(fresh)],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    assert GENERATED.exists(), f"{GENERATED} is missing: run `npm run gen:types` in frontend/"
    assert fresh.read_text(encoding="utf-8") == GENERATED.read_text(encoding="utf-8"), (
        "frontend/src/api/generated.ts is stale: the server's models changed since it was "
        "generated. Run `npm run gen:types` in frontend/ "
        "(or `.venv/bin/python frontend/scripts/gen-types.py`) and commit the result."
    )


def test_the_converter_translates_what_pydantic_emits() -> None:
    gen = _script()
    convert = gen.Converter("#/components/schemas/", {"Out"})
    nullable = {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}]}
    assert convert.expression(nullable) == "string | null"
    assert convert.expression({"enum": ["a", "b"], "type": "string"}) == '"a" | "b"'
    assert convert.expression({"const": "hello"}) == '"hello"'
    assert convert.expression({"type": "array", "items": nullable}) == "(string | null)[]"
    assert convert.expression({"$ref": "#/components/schemas/Item-Output"}) == "Item_Output"
    assert convert.expression({"type": "object"}) == "Record<string, unknown>"
    assert convert.expression({"title": "Anything"}) == "unknown"
    both = {
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": "boolean", "default": False}},
        "required": ["a"],
    }
    assert convert.declaration("In", both) == (
        "export interface In {\n  a: number;\n  b?: boolean;\n}\n"
    )
    # A response always carries every field, defaults included.
    assert convert.declaration("Out", both) == (
        "export interface Out {\n  a: number;\n  b: boolean;\n}\n"
    )
    try:
        convert.expression({"not": {"type": "string"}})
    except gen.UnsupportedSchema as exc:
        assert "not" in str(exc)
    else:
        raise AssertionError("an unknown construct must not pass silently")
