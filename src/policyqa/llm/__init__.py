"""The optional generative mode's local runtime and model weights."""
