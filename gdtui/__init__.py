"""gdtui: a terminal stepping trainer for gradient descent."""

__version__ = "0.1.0"
