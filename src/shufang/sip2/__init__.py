"""SIP2 2.00 for self-service devices: the pure codec in `protocol`, later the server and
handlers that call the circulation services."""
