"""The policyqa HTTP service (FastAPI), versioned under /v1."""
