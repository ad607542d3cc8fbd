"""A tiny, randomly initialised Stable Diffusion pipeline, built from configs for tests.

It has the real layout of a Stable Diffusion model directory (``model_index.json``, ``unet/``,
``vae/``, ``text_encoder/``, ``tokenizer/``, ``scheduler/``), so the engine loads it with the real
``StableDiffusionPipeline.from_pretrained``; it draws noise, at 64×64 in a fraction of a second on
a CPU. Nothing is downloaded: even the tokenizer is built from a vocabulary written here.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import torch
from diffusers import AutoencoderKL, DDIMScheduler, StableDiffusionPipeline, UNet2DConditionModel
from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

# The pipeline's default image size is sample_size × the VAE's scale factor (2 here): 64×64.
SAMPLE_SIZE = 32
HIDDEN = 32
BOS, EOS = "<|startoftext|>", "<|endoftext|>"


def _byte_alphabet() -> list[str]:
    """GPT-2's printable stand-ins for the 256 byte values: the alphabet of byte-level BPE."""
    printable = [
        *range(ord("!"), ord("~") + 1),
        *range(ord("¡"), ord("¬") + 1),
        *range(ord("®"), ord("ÿ") + 1),
    ]
    extra = iter(range(256, 512))
    return [chr(b) if b in printable else chr(next(extra)) for b in range(256)]


def _write_tokenizer_files(directory: Path) -> None:
    """vocab.json and merges.txt of a byte-level BPE: every byte, alone and word-final, so any
    text tokenizes without unknown tokens, plus a few merges so BPE has work to do."""
    merges = [("t", "h"), ("th", "e</w>"), ("a", "n"), ("an", "d</w>")]
    tokens = [BOS, EOS]
    for byte in _byte_alphabet():
        tokens += [byte, f"{byte}</w>"]
    tokens += ["".join(pair) for pair in merges]
    vocab = {token: index for index, token in enumerate(dict.fromkeys(tokens))}
    (directory / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
    lines = ["#version: 0.2", *(" ".join(pair) for pair in merges)]
    (directory / "merges.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def build_tiny_sd(path: Path) -> Path:
    """Build a tiny Stable Diffusion pipeline at ``path`` (created if missing) and return it.

    Deterministic: the same weights every time (torch is seeded before each model is made).
    """
    path.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        _write_tokenizer_files(Path(scratch))
        # Loading from vocab.json + merges.txt is how a real CLIP tokenizer directory is read;
        # 77 is the context length every SD text encoder (and the pipeline) expects.
        tokenizer = CLIPTokenizer.from_pretrained(scratch, model_max_length=77)

    torch.manual_seed(0)
    unet = UNet2DConditionModel(
        sample_size=SAMPLE_SIZE,
        in_channels=4,
        out_channels=4,
        block_out_channels=(32, 64),
        layers_per_block=1,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=HIDDEN,
        attention_head_dim=8,
        norm_num_groups=32,
    )
    torch.manual_seed(0)
    vae = AutoencoderKL(
        in_channels=3,
        out_channels=3,
        block_out_channels=(32, 64),
        down_block_types=("DownEncoderBlock2D", "DownEncoderBlock2D"),
        up_block_types=("UpDecoderBlock2D", "UpDecoderBlock2D"),
        latent_channels=4,
        layers_per_block=1,
        norm_num_groups=32,
        sample_size=SAMPLE_SIZE * 2,
    )
    torch.manual_seed(0)
    text_encoder = CLIPTextModel(
        CLIPTextConfig(
            vocab_size=len(tokenizer),
            hidden_size=HIDDEN,
            intermediate_size=37,
            num_hidden_layers=2,
            num_attention_heads=4,
            max_position_embeddings=77,
            projection_dim=HIDDEN,
            bos_token_id=tokenizer.bos_token_id,
            eos_token_id=tokenizer.eos_token_id,
            pad_token_id=tokenizer.pad_token_id,
        )
    )
    scheduler = DDIMScheduler(
        beta_start=0.00085,
        beta_end=0.012,
        beta_schedule="scaled_linear",
        clip_sample=False,
        set_alpha_to_one=False,
        steps_offset=1,  # what SD 1.x ships; 0 makes the pipeline warn on every construction
    )
    # Any: mypy sees few of a diffusers pipeline's attributes (save_pretrained among them).
    pipeline: Any = StableDiffusionPipeline(
        vae=vae,
        text_encoder=text_encoder,
        tokenizer=tokenizer,
        unet=unet,
        scheduler=scheduler,
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )
    pipeline.save_pretrained(path)
    return path
