"""Risk prevention (风险防控): counters over pseudonymous subject keys, rules as data, typologies, decisions, holds.

Reads the outbox through the in-process consumer API and the goods lines through ``cbec.facts.queries``; the
clearance pipeline never imports this package (import-linter): it reads what risk asks as supervision measures
(holds, lanes, entity conditions), never ``risk_hold`` or any other risk table.
"""
