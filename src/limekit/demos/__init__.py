"""Runnable demonstrations of limekit explainers on data that ships offline."""
