"""The index: embedding weights, the embedder and its cache, the dense and sparse parts on disk."""
