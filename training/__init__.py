"""Samples, spaCy preprocessing, the theme tagger, evaluation and the model registry."""
