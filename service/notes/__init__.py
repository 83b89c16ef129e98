"""Notes: storing, ingesting, writing, reviewing and re-tagging them."""
