"""Modal screens: help and the exact-alpha prompt."""
