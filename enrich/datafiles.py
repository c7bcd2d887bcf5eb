"""The data files of the enrichment (`enrich/data/*.yaml`), each validated by its JSON schema
when it is loaded: a file that does not match is refused with its path and the reason."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml

from vigie.core.resources import files

__all__ = ["DATA_DIR", "DataFileError", "load_yaml"]

DATA_DIR = files("enrich_data")


class DataFileError(ValueError):
    """A data file does not match its schema: refused at load time, with the path and reason."""


def load_yaml(path: Path, schema_path: Path) -> dict:
    """Load a YAML data file and validate it against its JSON schema."""
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    with schema_path.open(encoding="utf-8") as handle:
        schema = json.load(handle)
    try:
        jsonschema.validate(data, schema)
    except jsonschema.ValidationError as exc:
        where = "/".join(str(part) for part in exc.absolute_path)
        raise DataFileError(f"{path}: {where}: {exc.message}") from exc
    return data
