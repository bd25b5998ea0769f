"""What a region's people do inside their tenant, mounted at /<region>/… (one package per feature; each says
in its ``FEATURE`` what it brings, and hub/features.py lists them)."""
