"""govharvest stage: warehouse."""
