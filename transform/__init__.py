"""govharvest stage: transform."""
