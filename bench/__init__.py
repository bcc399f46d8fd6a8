"""Benchmarks: figures anyone can reproduce with `make bench` or `python -m bench PART`."""
