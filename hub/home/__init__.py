"""The front page of the hub."""
