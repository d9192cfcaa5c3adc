"""Offline field packages: what an officer takes out (export, its files), what comes back
(import, its cases) and the conflicts queued for a decision.

May import outputs (the printed pages' data), cases, registers, storage and the leaf helpers.
"""
