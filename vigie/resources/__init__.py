"""Data shipped inside the package, read through `vigie.core.resources` (never imported).

`index_mappings`, `alerts`, `kibana` and `sample_corpus` here are symbolic links to the
top-level folders of the checkout, their one copy; the wheel carries the files themselves.
"""
