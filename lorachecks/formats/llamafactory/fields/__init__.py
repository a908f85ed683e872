"""LLaMA-Factory argument models, one per trainer dataclass."""

from lorachecks.formats.llamafactory.fields.model_args import ModelArgs
from lorachecks.formats.llamafactory.fields.data_args import DataArgs
from lorachecks.formats.llamafactory.fields.training_args import TrainingArgs
from lorachecks.formats.llamafactory.fields.finetuning_args import FinetuningArgs
from lorachecks.formats.llamafactory.fields.generating_args import GeneratingArgs
from lorachecks.formats.llamafactory.fields.megatron_bridge_args import MegatronBridgeArgs
from lorachecks.formats.llamafactory.fields.ktransformers_args import KTransformersRuntimeArgs

__all__ = [
    "ModelArgs",
    "DataArgs",
    "TrainingArgs",
    "FinetuningArgs",
    "GeneratingArgs",
    "MegatronBridgeArgs",
    "KTransformersRuntimeArgs",
]
