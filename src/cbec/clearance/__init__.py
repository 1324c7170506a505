"""clearance"""
