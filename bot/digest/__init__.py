"""Managers' digest: figures rendered as HTML text and a chart, and delivered to a chat."""
