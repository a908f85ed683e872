"""Count what sd-scripts' own `networks.lora` adapts on its own U-Net (an oracle, not a test).

Executed with the kohya venv's interpreter (tools/setup_kohya_venv.sh), one case per process
(sd-scripts extends its target-module list in place, so a second network in the same process
would see the first one's conv targets):

    python lora_modules.py SD_SCRIPTS FAMILY NETWORK_DIM [CONV_DIM]

FAMILY is sd1, sd2 or sdxl; the U-Net is sd-scripts' own (library/original_unet.py,
library/sdxl_original_unet.py) built on meta tensors. Prints one JSON line: the number of
LoRA modules and their parameters.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main() -> None:
    sd_scripts, family, dim = sys.argv[1], sys.argv[2], int(sys.argv[3])
    conv = sys.argv[4] if len(sys.argv) > 4 else None
    sys.path[:0] = [str(Path(__file__).resolve().parent / "stubs"), sd_scripts]
    import torch
    from library import original_unet, sdxl_original_unet
    from networks import lora

    with torch.device("meta"):
        if family == "sdxl":
            unet = sdxl_original_unet.SdxlUNet2DConditionModel()
        else:  # the U-Net configurations sd-scripts' model_util uses for v1 and v2 checkpoints
            v2 = family == "sd2"
            unet = original_unet.UNet2DConditionModel(
                sample_size=96 if v2 else 64,
                attention_head_dim=[5, 10, 20, 20] if v2 else 8,
                cross_attention_dim=1024 if v2 else 768,
                use_linear_projection=v2,
            )
        network = lora.create_network(1.0, dim, 1.0, None, [], unet, **({} if conv is None else {"conv_dim": conv}))
    modules = network.unet_loras
    params = sum(p.numel() for m in modules for name, p in m.named_parameters() if name.startswith("lora_"))
    print(json.dumps({"modules": len(modules), "params": params}))


if __name__ == "__main__":
    main()
