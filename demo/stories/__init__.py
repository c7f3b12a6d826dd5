"""The demo: a few hundred tickets played through the services, then moved back in time.

``catalogue`` holds what the generators pick from (shared with the bulk generator),
``plot`` a ticket's story as dated steps, ``acts`` each step done through the
services, ``teller`` one ticket's life told and back-dated, ``seed`` ``seed_demo``.
"""

from demo.stories.catalogue import Catalogue
from demo.stories.seed import DemoReport, demo_ticket_count, seed_demo

__all__ = ["Catalogue", "DemoReport", "demo_ticket_count", "seed_demo"]
