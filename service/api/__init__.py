"""HTTP layer: routes, dependencies and the mapping of domain errors to responses."""
