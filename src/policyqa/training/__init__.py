"""Training material for magistrates' sessions: topic packs, quizzes and session records.

Everything printed comes from the corpus (quoted verbatim with its citation) or from fixed
templates in `phrases.py`; nothing is generated freely, so every line can be traced.
"""
