"""Shared helpers for the benchmarks (not benchmarks themselves)."""
