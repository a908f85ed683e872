"""A stand-in for torchvision, which cannot be installed beside the CPU torch build here.

sd-scripts imports `torchvision.transforms` at module level and uses it only to turn images
into tensors; the oracle never reaches that.
"""
