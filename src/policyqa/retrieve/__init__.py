"""Retrieval: hybrid dense and sparse search, fusion, named instruments and provisions."""
