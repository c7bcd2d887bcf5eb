"""The data files the code reads, found inside the installed packages so a wheel works too.

Each kind of data has one home in the checkout, and ships inside the package:

    kind            checkout folder     in the package (wheel)
    index_mappings  index_mappings/     vigie/resources/index_mappings  index + component templates
    alerts          alerts/             vigie/resources/alerts          rules.yaml + its schema
    kibana          kibana/             vigie/resources/kibana          saved objects (*.ndjson)
    sample_corpus   sample_corpus/      vigie/resources/sample_corpus   the sample news site
    feeds           ingest/             ingest/                         feeds.yaml + its schema
    enrich_data     enrich/data/        enrich/data/                    KB, triggers, ... + schemas
    stories         vigie/stories/      vigie/stories/                  story policy + its schema

The top-level folders stay the one copy: in the checkout `vigie/resources/<name>` are
symbolic links to them, and building the wheel copies the files they point to (package data
of `vigie.resources`, see pyproject.toml). An editable install reads them in place.

Like every `vigie.core` module this imports nothing else of the project: a package is
located by name through its import spec (`importlib.util.find_spec`, where
`importlib.resources` finds a package's files too), without running it. Settings name default
files (the feed registry in `ingest/`) and are read when Airflow parses the DAG files, which
must not import `ingest` or `enrich`.
"""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

# kind -> (package, folder inside the package)
KINDS: dict[str, tuple[str, str]] = {
    "index_mappings": ("vigie.resources", "index_mappings"),
    "alerts": ("vigie.resources", "alerts"),
    "kibana": ("vigie.resources", "kibana"),
    "sample_corpus": ("vigie.resources", "sample_corpus"),
    "feeds": ("ingest", ""),
    "enrich_data": ("enrich", "data"),
    "stories": ("vigie.stories", ""),
}


class ResourceError(LookupError):
    """A kind of data that does not exist, or a package not installed as plain files."""


def files(kind: str) -> Path:
    """The folder holding one kind of data (see the table above)."""
    try:
        package, folder = KINDS[kind]
    except KeyError:
        raise ResourceError(f"unknown kind of data {kind!r} (known: {', '.join(KINDS)})") from None
    spec = find_spec(package)
    locations = list(spec.submodule_search_locations or []) if spec else []
    if not locations or not Path(locations[0]).is_dir():  # a zipped install: readers want files
        raise ResourceError(f"package {package} is not installed as files (found {locations})")
    root = Path(locations[0])
    # Resolved: in the checkout the path shown in messages is the real file, not the link.
    return (root / folder if folder else root).resolve()


def resource_path(kind: str, *parts: str) -> Path:
    """One data file (or sub-folder): `resource_path("alerts", "rules.yaml")`."""
    return files(kind).joinpath(*parts)


def checkout_dir(name: str) -> Path | None:
    """A folder of the source checkout this package runs from (an editable install), or None
    when the package is installed from a wheel. Only for what is not package data: the DAG
    files (`dags/`), which the demo hands to Airflow."""
    root = Path(__file__).resolve().parents[2]
    folder = root / name
    return folder if (root / "pyproject.toml").is_file() and folder.is_dir() else None
