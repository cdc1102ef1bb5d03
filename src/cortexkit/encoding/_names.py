"""Architecture and layer names of the orientation CNN (no torch needed to validate them)."""

from __future__ import annotations

ARCHITECTURES = ("conv_pool_fc", "conv_fc", "fc")
LAYERS = {"conv_pool_fc": ("conv", "pool", "fc", "out"), "conv_fc": ("conv", "fc", "out"),
          "fc": ("fc", "out")}
