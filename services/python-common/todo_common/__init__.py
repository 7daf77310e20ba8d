"""Logic shared by the Todo Python services (backend and AI agent): one home, no copies."""
