"""Reading requests and writing plans, manifests and reports."""

from charterplan.io.request import json_path, parse_request, read_request, request_digest

__all__ = ["json_path", "parse_request", "read_request", "request_digest"]
