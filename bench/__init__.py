"""Valkyr benchmarks (`make bench` = `python -m bench`).

A benchmark, never a test: it prints figures and writes one JSON object per
scenario; it never fails on a threshold. See `python -m bench --help`.
"""
