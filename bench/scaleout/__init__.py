"""``make rehearse``: the production topology as local processes, under load, with accidents.

``topology`` starts the shape (a private redis-server, 2 gunicorn web replicas,
2 Celery workers with the queues split by kind, 1 beat, and a second beat by
mistake), ``fakes`` are the outside world counting what it receives (Slack,
SMTP, GitHub), ``load`` and ``desk`` drive portal submits, desk reads and
actions, signed GitHub webhooks and SLA clocks, ``tally`` checks the database
against the fakes, and ``run`` ties them together (``python -m bench.scaleout``).
"""
