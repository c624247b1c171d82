#!/usr/bin/env bash
# PaTaRM SFT (format warm-up) stage for a Qwen3-14B pointwise judge in verl, before GRPO with PAR
# (run_qwen3_14b_32xa100.sh starts from the checkpoint this writes).
#
# Hardware : 8 x A100 80GB (one node), the paper's setup for SFT.
# Software : verl 0.9.1 (FSDP SFT trainer, `verl.trainer.sft_trainer`) and patarm with the `verl`
#            extra. Not run end-to-end on GPUs: CI runs it on a CPU up to the NCCL process group.
#
# Launch   : PAIRS=/shared/pairs.jsonl \
#              TEACHER_ARGS='--backend openai --base-url http://teacher:8000 --model Qwen/Qwen2.5-72B-Instruct' \
#              bash examples/verl/sft_qwen3_14b_8xa100.sh [extra Hydra overrides]
#            or SFT_FILE=/shared/sft.parquet (built before with `patarm data build-sft --format verl`).
#            Two or more nodes: NNODES=2 NODE_RANK=<0|1> MASTER_ADDR=<node-0-ip> on every node.
#            The Hugging Face checkpoint for RL lands in $CKPT_DIR/global_step_<N>/huggingface.
#            DRY_RUN=1 prints the commands instead of running them.
#
# Tags: [paper] = published 14B SFT setting (lr 7.5e-7 decaying to 7.5e-8, batch 512, 1 epoch,
# teacher margin > 2); [default] = this project's choice where the paper is silent.
set -euo pipefail

# ---- paths -------------------------------------------------------------------------------------
MODEL_PATH=${MODEL_PATH:-Qwen/Qwen3-14B}
PAIRS=${PAIRS:-}                        # pairs JSONL {pair_id, prompt, chosen, rejected, domain}
TEACHER_ARGS=${TEACHER_ARGS:-}          # the teacher judge's backend flags for `patarm data build-sft`
DATA_DIR=${DATA_DIR:-$HOME/data/patarm}
SFT_FILE=${SFT_FILE:-$DATA_DIR/sft_verl.parquet}
CKPT_DIR=${CKPT_DIR:-$HOME/checkpoints/patarm/qwen3-14b-sft}

# ---- cluster -----------------------------------------------------------------------------------
NNODES=${NNODES:-1}
GPUS_PER_NODE=${GPUS_PER_NODE:-8}
NODE_RANK=${NODE_RANK:-0}
MASTER_ADDR=${MASTER_ADDR:-127.0.0.1}
MASTER_PORT=${MASTER_PORT:-29500}

# ---- from the paper ----------------------------------------------------------------------------
LR=${LR:-7.5e-7}                        # [paper] 14B SFT peak learning rate
MIN_LR_RATIO=${MIN_LR_RATIO:-0.1}       # [paper] decays to 7.5e-8 = 0.1 x peak (cosine: [default])
TRAIN_BATCH_SIZE=${TRAIN_BATCH_SIZE:-512}  # [paper] global batch 512 rows
EPOCHS=${EPOCHS:-1}                     # [paper]
MARGIN=${MARGIN:-2}                     # [paper] keep pairs whose teacher margin is larger than 2

# ---- this project's defaults -------------------------------------------------------------------
MAX_LENGTH=${MAX_LENGTH:-8192}          # [default] judge prompt (<= 4096) + judgment
MAX_TOKENS_PER_GPU=${MAX_TOKENS_PER_GPU:-8192}   # [default] dynamic micro-batches of packed rows
WARMUP_RATIO=${WARMUP_RATIO:-0.03}      # [default]

# ---- logging and checkpoints -------------------------------------------------------------------
PROJECT_NAME=${PROJECT_NAME:-patarm}
EXPERIMENT_NAME=${EXPERIMENT_NAME:-qwen3-14b-sft-8xa100}
LOGGER=${LOGGER:-[console]}             # e.g. [console,wandb]
SAVE_FREQ=${SAVE_FREQ:--1}              # -1: save at the end only

# shellcheck source=sft_common.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/sft_common.sh" "$@"
