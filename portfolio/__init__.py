"""The training e-portfolio domain: documents, rules and use cases. Knows nothing of HTTP."""
