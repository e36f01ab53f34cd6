"""Tests of the HTTP API (`api/`) and `scorer serve`."""
