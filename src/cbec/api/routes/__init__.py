"""REST routers, one module per domain."""
