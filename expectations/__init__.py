"""govharvest stage: expectations."""
