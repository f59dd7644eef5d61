"""Documents: the catalogue, loaders, cleaning, structure per format, and passages."""
