"""The demo app: ``seed_demo`` and the generators behind it, above every other app.

It may import any app; no app imports it. Its entry points are in :mod:`demo.seeding`
(kept out of this module, which Django imports before the models are ready).
"""
