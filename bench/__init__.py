"""Benchmarks of the help desk against PostgreSQL: ``python -m bench.run``.

The runner (:mod:`bench.run`) prepares a database of a chosen size and times
the scenarios registered in :mod:`bench.scenarios`.
"""
