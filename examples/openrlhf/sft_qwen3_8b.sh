#!/usr/bin/env bash
# PaTaRM SFT (format warm-up) stage for a Qwen3-8B pointwise judge in OpenRLHF, before GRPO with PAR
# (run_qwen3_8b_pair_row.sh starts from the model this writes to OUTPUT_DIR).
#
# Hardware : 8 x A100 80GB (one node), the paper's setup for SFT.
# Software : OpenRLHF 0.11.2 with its GPU pins (DeepSpeed, flash-attn, peft: `pip install
#            openrlhf==0.11.2` on the GPU machine) and patarm, in the same environment.
# Status   : flags checked against openrlhf/cli/train_sft.py of OpenRLHF 0.11.2 by its own parser;
#            not run end-to-end on GPUs.
#
# Launch   : PAIRS=/shared/pairs.jsonl \
#              TEACHER_ARGS='--backend openai --base-url http://teacher:8000 --model Qwen/Qwen2.5-72B-Instruct' \
#              bash examples/openrlhf/sft_qwen3_8b.sh [extra train_sft flags]
#            or SFT_FILE=/shared/sft.jsonl (built before with `patarm data build-sft --format openrlhf`).
#            Two or more nodes: NNODES=2 NODE_RANK=<0|1> MASTER_ADDR=<node-0-ip> on every node.
#            Qwen3-14B: MODEL_PATH=Qwen/Qwen3-14B LR=7.5e-7 (the paper's 14B SFT: 7.5e-7 -> 7.5e-8).
#            Extra flags go last and win. DRY_RUN=1 prints the commands instead of running them.
#
# Tags: [paper] = published 8B SFT setting (lr 1.5e-6 decaying to 1.5e-7, batch 512, 1 epoch,
# teacher margin > 2); [default] = this project's choice where the paper is silent.
set -euo pipefail

# ---- paths -------------------------------------------------------------------------------------
MODEL_PATH=${MODEL_PATH:-Qwen/Qwen3-8B}
PAIRS=${PAIRS:-}                        # pairs JSONL {pair_id, prompt, chosen, rejected, domain}
TEACHER_ARGS=${TEACHER_ARGS:-}          # the teacher judge's backend flags for `patarm data build-sft`
DATA_DIR=${DATA_DIR:-$HOME/data/patarm}
SFT_FILE=${SFT_FILE:-$DATA_DIR/sft_openrlhf.jsonl}
OUTPUT_DIR=${OUTPUT_DIR:-$HOME/checkpoints/patarm/qwen3-8b-sft-openrlhf}  # the model for RL

# ---- cluster -----------------------------------------------------------------------------------
NNODES=${NNODES:-1}
GPUS_PER_NODE=${GPUS_PER_NODE:-8}
NODE_RANK=${NODE_RANK:-0}
MASTER_ADDR=${MASTER_ADDR:-127.0.0.1}
MASTER_PORT=${MASTER_PORT:-29500}

# ---- from the paper ----------------------------------------------------------------------------
LR=${LR:-1.5e-6}                        # [paper] 8B SFT peak learning rate
MIN_LR_RATIO=${MIN_LR_RATIO:-0.1}       # [paper] decays to 0.1 x peak (OpenRLHF's cosine_with_min_lr)
TRAIN_BATCH_SIZE=${TRAIN_BATCH_SIZE:-512}  # [paper] global batch 512 rows
EPOCHS=${EPOCHS:-1}                     # [paper]
MARGIN=${MARGIN:-2}                     # [paper] keep pairs whose teacher margin is larger than 2

# ---- this project's defaults -------------------------------------------------------------------
MAX_LEN=${MAX_LEN:-8192}                # [default] judge prompt (<= 4096) + judgment
MICRO_BATCH_SIZE=${MICRO_BATCH_SIZE:-2} # [default] per GPU, packed samples
WARMUP_RATIO=${WARMUP_RATIO:-0.03}      # [default] OpenRLHF's default
SEED=${SEED:-42}                        # [default]

# ---- logging -----------------------------------------------------------------------------------
TENSORBOARD_DIR=${TENSORBOARD_DIR:-$OUTPUT_DIR/tensorboard}

# shellcheck source=../recipe_steps.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/../recipe_steps.sh"

# ---- 0. the environment (DOCTOR_FLAGS: e.g. --no-gpu to check the rest on a machine without GPUs)
# shellcheck disable=SC2086  # DOCTOR_FLAGS: zero or more flags
run patarm doctor --stack openrlhf ${DOCTOR_FLAGS:-}

# ---- 1. data: pairs -> a teacher judges both sides -> prompt-completion rows ---------------------
build_sft_file openrlhf

# ---- 2. the launcher: one node (--standalone) or NNODES nodes, this one NODE_RANK --------------
torchrun_launcher

# ---- 3. train: DeepSpeed ZeRO-3, loss on the completion (the teacher's judgment) -----------------
run "${LAUNCH[@]}" -m openrlhf.cli.train_sft \
    --model.model_name_or_path "$MODEL_PATH" \
    --model.gradient_checkpointing_enable \
    --data.dataset "$SFT_FILE" \
    --data.input_key prompt \
    --data.output_key completion \
    --data.apply_chat_template \
    --data.max_len "$MAX_LEN" \
    --train.batch_size "$TRAIN_BATCH_SIZE" \
    --train.micro_batch_size "$MICRO_BATCH_SIZE" \
    --train.max_epochs "$EPOCHS" \
    --train.seed "$SEED" \
    --adam.lr "$LR" \
    --lr_scheduler cosine_with_min_lr \
    --min_lr_ratio "$MIN_LR_RATIO" \
    --lr_warmup_ratio "$WARMUP_RATIO" \
    --ds.zero_stage 3 \
    --ds.param_dtype bf16 \
    --ds.packing_samples \
    --ds.attn_implementation flash_attention_2 \
    --ckpt.output_dir "$OUTPUT_DIR" \
    --logger.tensorboard_dir "$TENSORBOARD_DIR" \
    "$@"
