"""posttrade."""
