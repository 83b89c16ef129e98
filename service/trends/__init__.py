"""Trends: periods, the rollups they read, and the trend computation."""
