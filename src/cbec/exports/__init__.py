"""Exports (出口): retail export (9610/1210), B2B direct export (9710), overseas-warehouse export (9810).

清单核放、汇总申报: export inventories are matched with their orders, receipts of payment and waybills, released
after arrival at the supervised site, closed on departure, and summarised monthly into customs declarations.
The zone's overseas-warehouse registry and the export tax ledgers (103号 exemption, rebates, 36号 CIT) live here
too. Transports import the use cases from ``cbec.exports.service`` and the read side from
``cbec.exports.queries``.
"""
