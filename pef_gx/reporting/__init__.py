"""Format-neutral report model and one renderer per output."""
