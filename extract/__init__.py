"""govharvest stage: extract."""
