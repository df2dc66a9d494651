"""The planning pipeline's stages: each a pure function from typed data to typed data."""
