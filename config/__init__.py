"""Settings of the tracker: declared once in `defaults.py`, overridden by the environment."""
