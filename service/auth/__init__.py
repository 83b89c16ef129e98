"""Auth: API keys, principals and rate limits."""
