"""govharvest stage: flows."""
