"""Readers' views: the self-contained report, the REST API and the dashboard (``rasid serve``)."""
