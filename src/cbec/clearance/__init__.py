"""Clearance (通关): 三单对碰 matching of order, payment and waybill with the inventory, and 清单核放."""
