"""Answers: one front for every mode, the extractive and generative answerers, citations."""
