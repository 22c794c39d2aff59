"""Being written (issue 3/4)."""
__all__: list[str] = []
