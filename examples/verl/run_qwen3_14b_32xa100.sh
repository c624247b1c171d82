#!/usr/bin/env bash
# PaTaRM RL stage for a Qwen3-14B pointwise judge: GRPO with the Preference-Aware Reward (PAR) in verl.
#
# Hardware : 32 x A100 80GB (4 nodes x 8 GPUs), the paper's setup for 14B RL.
# Software : verl 0.9.1 (FSDP actor, vLLM rollout, the default V1 trainer) and patarm with the
#            `verl` extra, installed in the same environment on every node.
# Status   : flags and keys checked against the verl 0.9.1 source; not run end-to-end on GPUs.
#
# Launch   : one Ray cluster over the four nodes, then this script on the head node:
#              node 0:    ray start --head --port=6379
#              node 1-3:  ray start --address=<node-0-ip>:6379
#              node 0:    PAIRS=/shared/pairs.jsonl MODEL_PATH=/shared/qwen3-14b-judge-sft \
#                           bash examples/verl/run_qwen3_14b_32xa100.sh [extra Hydra overrides]
#            Extra overrides go last and win, e.g. `trainer.save_freq=10`.
#            MODEL_PATH, DATA_DIR and CKPT_DIR must resolve to the same files on every node
#            (a shared file system): verl's Ray actors may read them on any node.
#            DRY_RUN=1 prints the commands instead of running them.
#
# Tags: [paper] = published 14B RL setting (lr 2.5e-7, 32 A100). The paper gives batch 256, 1 epoch,
# 4096-token responses and 8 rollouts for its RL stage without a separate 14B value; they are reused
# here and tagged [paper, 8B]. [default] = this project's choice where the paper is silent.
# See examples/verl/README.md.
set -euo pipefail

# ---- paths -------------------------------------------------------------------------------------
# Start from the SFT (format warm-up) checkpoint of the judge: a model that cannot yet end with
# <answer>K</answer> gets the format penalty on every rollout and no PAR signal.
MODEL_PATH=${MODEL_PATH:-Qwen/Qwen3-14B}
PAIRS=${PAIRS:-}                         # pairs JSONL {pair_id, prompt, chosen, rejected, domain}
DOMAIN_COL=${DOMAIN_COL:-domain}         # domain column of PAIRS ('' = route every pair by rules)
DATA_DIR=${DATA_DIR:-$HOME/data/patarm}
TRAIN_FILE=${TRAIN_FILE:-$DATA_DIR/train.parquet}
VAL_PAIRS=${VAL_PAIRS:-}                 # optional held-out pairs: validation with par_* metrics
VAL_FILE=${VAL_FILE:-}
CKPT_DIR=${CKPT_DIR:-$HOME/checkpoints/patarm/qwen3-14b-par}

# ---- cluster -----------------------------------------------------------------------------------
NNODES=${NNODES:-4}
GPUS_PER_NODE=${GPUS_PER_NODE:-8}
# Join the running cluster; fail fast instead of starting a one-node cluster when none is up.
export RAY_ADDRESS=${RAY_ADDRESS:-auto}

# ---- from the paper ----------------------------------------------------------------------------
LR=${LR:-2.5e-7}                                 # [paper] 14B RL learning rate
TRAIN_BATCH_SIZE=${TRAIN_BATCH_SIZE:-256}        # [paper, 8B] "batch 256": 256 judge-prompt rows = 128 pairs x 2 sides
ROLLOUT_N=${ROLLOUT_N:-8}                        # [paper, 8B] rollouts per judge prompt (one GRPO group per side)
MAX_RESPONSE_LENGTH=${MAX_RESPONSE_LENGTH:-4096} # [paper, 8B] response length
PAIR_EPOCHS=${PAIR_EPOCHS:-1}                    # [paper, 8B] 1 epoch over the pairs

# ---- this project's defaults -------------------------------------------------------------------
PPO_MINI_BATCH_SIZE=${PPO_MINI_BATCH_SIZE:-256}  # [default] = TRAIN_BATCH_SIZE: one optimizer update per step
MAX_PROMPT_LENGTH=${MAX_PROMPT_LENGTH:-4096}     # [default] judge prompt = rubric + question + the response judged
KL_LOSS_COEF=${KL_LOSS_COEF:-0.001}              # [default] KL is not published; verl's GRPO docs: KL loss on, 0.001, low_var_kl
TEMPERATURE=${TEMPERATURE:-1.0}                  # [default] rollout sampling temperature
ROLLOUT_TP=${ROLLOUT_TP:-2}                      # [default] vLLM tensor parallel size (16 replicas on 32 GPUs)
GPU_MEMORY_UTILIZATION=${GPU_MEMORY_UTILIZATION:-0.6}  # [default] vLLM share of each GPU
SEED=${SEED:-42}                                 # [default] seeds the pair-level shuffle (data.seed)
MAX_TOKENS_PER_GPU=$((2 * (MAX_PROMPT_LENGTH + MAX_RESPONSE_LENGTH)))  # [default] actor update, dynamic batching
LOGPROB_TOKENS_PER_GPU=$((2 * MAX_TOKENS_PER_GPU))                     # [default] forward-only log-prob passes

# ---- PAR (patarm); the exact delta values are not published ------------------------------------
# The paper's graded delta (stable); its threshold is tied to the SFT filter's margin (2 on 1-10).
# Or constant, or your own: PAR_DELTA='my_pkg.deltas:capped(max=2)'.
PAR_DELTA=${PAR_DELTA:-graded(threshold=2,low=0.5,high=1.0)}  # [default]
PAR_TIMEOUT_S=${PAR_TIMEOUT_S:-900}              # [default] longest wait for a pair's partner side
# Each trajectory is scored by a randomly chosen reward worker (reward.num_workers Ray actors), so
# the two sides of a pair meet at one named Ray actor.
PAR_RENDEZVOUS=${PAR_RENDEZVOUS:-ray}

# ---- logging and checkpoints -------------------------------------------------------------------
PROJECT_NAME=${PROJECT_NAME:-patarm}
EXPERIMENT_NAME=${EXPERIMENT_NAME:-qwen3-14b-par-32xa100}
LOGGER=${LOGGER:-[console]}                      # e.g. [console,wandb]
SAVE_FREQ=${SAVE_FREQ:-20}
TEST_FREQ=${TEST_FREQ:-20}                       # used only with VAL_PAIRS / VAL_FILE

# ---- data build, validation and the verl main_ppo command: shared by the recipes in this folder --
# shellcheck source=par_grpo_common.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/par_grpo_common.sh" "$@"
