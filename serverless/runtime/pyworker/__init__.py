"""Code that runs inside the Python sandbox (never imported by the server): worker, network shim, helpers."""
