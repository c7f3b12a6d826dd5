"""Bulk tickets for benchmarks: generated rows written with COPY (bulk_create elsewhere).

``variants`` renders the requests, ``generator`` draws the tickets from them,
``writers`` puts the rows in the database; :func:`bulk_create_tickets` runs them.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.db import connection, transaction

from demo.bulk.generator import BulkGenerator
from demo.bulk.writers import CopyWriter, OrmWriter
from demo.people import DEFAULT_BATCH_SIZE, DEFAULT_SEED, Team, seed_requesters
from demo.stories.catalogue import Catalogue


@dataclass
class BulkReport:
    count: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0


def bulk_create_tickets(
    *,
    count: int,
    seed: int = DEFAULT_SEED,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Callable[[int, int, float], None] | None = None,
    analyze: bool = True,
) -> BulkReport:
    """Add ``count`` tickets with their first message and "created" event, in batches.

    Rows are generated, not played through the services, and each batch is one
    transaction: an interrupted run keeps whole batches. The same ``seed`` gives
    the same tickets (access tokens apart, which stay random). ``analyze``
    refreshes the planner's statistics at the end (PostgreSQL).
    """
    started = time.perf_counter()
    rng = random.Random(seed)  # noqa: S311 - benchmark content, not secrets
    catalogue = Catalogue.load()
    seed_requesters({demo.name: partner for demo, partner in catalogue.partners})
    generator = BulkGenerator(rng=rng, catalogue=catalogue, team=Team.load())
    writer = CopyWriter() if connection.vendor == "postgresql" else OrmWriter()
    sizes = [min(batch_size, count - start) for start in range(0, count, batch_size)]
    done = 0
    # The next batch is generated in a worker thread while this one is written and
    # committed (the database does most of that work). One worker draws all the
    # random numbers, in batch order, so a seed still gives the same tickets.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(generator.rows, *writer.reserve_ids(sizes[0] if sizes else 0))
        for index, size in enumerate(sizes):
            rows = pending.result()
            if index + 1 < len(sizes):
                pending = pool.submit(generator.rows, *writer.reserve_ids(sizes[index + 1]))
            with transaction.atomic():
                writer.write(rows)
            done += size
            if progress:
                progress(done, count, time.perf_counter() - started)
    if analyze:
        writer.analyze()
    return BulkReport(count=count, seconds=time.perf_counter() - started)


__all__ = ["BulkReport", "bulk_create_tickets"]
