"""Domain modules of the Dagster code location, each exposing `build_defs()`."""
