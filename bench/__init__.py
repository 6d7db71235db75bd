"""Benchmarks of TapeStudio against hand-written NumPy and other autodiff libraries.

``python -m bench`` runs five workloads for each library in its own child process and prints
the times, their ratios and the performance targets. See ``bench/README.md``.
"""
