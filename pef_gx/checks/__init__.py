"""The neutral check model everything else speaks: CheckSpec and friends."""
