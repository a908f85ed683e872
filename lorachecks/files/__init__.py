"""Read-only looks at files on disk: image and safetensors headers, checkpoints, output folders."""
