"""Memory: the short-term step history kept within the model's context."""
