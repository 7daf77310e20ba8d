"""The AI chat agent: manages a user's todos through the backend, with a model or offline."""
