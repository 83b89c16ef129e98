"""Tagging: the model process, the batching queue in front of it, hot reload."""
