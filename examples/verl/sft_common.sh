# shellcheck shell=bash
# Shared part of the verl SFT (format warm-up) recipes in this folder (sft_qwen3_8b_8xa100.sh,
# sft_qwen3_14b_8xa100.sh). SOURCED by those scripts as their last line, not run on its own:
#     source "$(dirname "${BASH_SOURCE[0]}")/sft_common.sh" "$@"
# It checks the environment with `patarm doctor --stack verl`, builds the SFT parquet from a pairs
# file with a teacher judge when missing (`patarm data build-sft --format verl`: one row per judged
# side, a `messages` column = judge prompt + the teacher's judgment), and launches verl 0.9's SFT
# trainer (`torchrun -m verl.trainer.sft_trainer`, FSDP) with the script's arguments appended as
# Hydra overrides.
#
# Variables the sourcing script must set (the caller runs with `set -euo pipefail`):
#   paths    : MODEL_PATH PAIRS SFT_FILE CKPT_DIR TEACHER_ARGS (PAIRS and TEACHER_ARGS may be empty)
#   cluster  : NNODES GPUS_PER_NODE NODE_RANK MASTER_ADDR MASTER_PORT
#   training : LR MIN_LR_RATIO TRAIN_BATCH_SIZE EPOCHS MAX_LENGTH MAX_TOKENS_PER_GPU WARMUP_RATIO
#              MARGIN
#   logging  : PROJECT_NAME EXPERIMENT_NAME LOGGER SAVE_FREQ
# Optional in the environment: DRY_RUN (1 = print the commands), DOCTOR_FLAGS (extra flags for
# `patarm doctor`, e.g. --no-gpu to check everything else on a machine without GPUs).

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    echo "error: ${BASH_SOURCE[0]} is sourced by the sft_*.sh scripts next to it, not run" >&2
    exit 1
fi
# shellcheck source=../recipe_steps.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/../recipe_steps.sh"
require_set MODEL_PATH PAIRS SFT_FILE CKPT_DIR TEACHER_ARGS NNODES GPUS_PER_NODE NODE_RANK \
    MASTER_ADDR MASTER_PORT LR MIN_LR_RATIO TRAIN_BATCH_SIZE EPOCHS MAX_LENGTH MAX_TOKENS_PER_GPU \
    WARMUP_RATIO MARGIN PROJECT_NAME EXPERIMENT_NAME LOGGER SAVE_FREQ

export HYDRA_FULL_ERROR=1

# ---- 0. the environment: verl 0.9 with its verl-core modules, no TRL 1.x, flash-attn, GPUs -----
# shellcheck disable=SC2086  # DOCTOR_FLAGS: zero or more flags
run patarm doctor --stack verl ${DOCTOR_FLAGS:-}

# ---- 1. data: pairs -> a teacher judges both sides -> verl SFT parquet (messages) ---------------
build_sft_file verl

# ---- 2. the launcher: one node (--standalone) or NNODES nodes, this one NODE_RANK --------------
torchrun_launcher

# ---- 3. train: verl's FSDP SFT trainer, loss on the assistant turn (the teacher's judgment) ------
run "${LAUNCH[@]}" -m verl.trainer.sft_trainer \
    model.path="$MODEL_PATH" \
    model.enable_gradient_checkpointing=True \
    model.use_remove_padding=True \
    data.train_files="$SFT_FILE" \
    data.messages_key=messages \
    data.train_batch_size="$TRAIN_BATCH_SIZE" \
    data.micro_batch_size_per_gpu=1 \
    data.use_dynamic_bsz=True \
    data.max_token_len_per_gpu="$MAX_TOKENS_PER_GPU" \
    data.max_length="$MAX_LENGTH" \
    data.truncation=error \
    optim.lr="$LR" \
    optim.lr_scheduler_type=cosine \
    optim.min_lr_ratio="$MIN_LR_RATIO" \
    optim.lr_warmup_steps_ratio="$WARMUP_RATIO" \
    engine.strategy=fsdp \
    trainer.total_epochs="$EPOCHS" \
    trainer.nnodes="$NNODES" \
    trainer.n_gpus_per_node="$GPUS_PER_NODE" \
    trainer.default_local_dir="$CKPT_DIR" \
    trainer.project_name="$PROJECT_NAME" \
    trainer.experiment_name="$EXPERIMENT_NAME" \
    trainer.logger="$LOGGER" \
    trainer.save_freq="$SAVE_FREQ" \
    "checkpoint.save_contents=[model,optimizer,extra,hf_model]" \
    "$@"
