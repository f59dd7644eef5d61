"""Conversations: follow-ups read against the previous turn, and their storage."""
