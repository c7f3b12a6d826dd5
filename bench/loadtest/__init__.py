"""``make loadtest``: the help desk under gunicorn and a bounded load on loopback.

``server`` starts the app (2 sync workers, production settings) and, for reference, a
bare Django app and Django's ``startproject`` stack, ``generator`` keeps N connections
busy for a fixed time, ``flows`` says what each scenario requests (logins, CSRF tokens,
form posts), ``stats`` turns the timings into the table, and ``run`` ties them
together (``python -m bench.loadtest``).
"""
