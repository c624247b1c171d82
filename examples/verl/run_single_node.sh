#!/usr/bin/env bash
# PaTaRM RL stage on one node: GRPO with the Preference-Aware Reward (PAR) for a smaller judge
# (Qwen3-4B by default; Qwen3-1.7B also fits) with shorter responses, in verl.
#
# Hardware : 1 node with 8 x A100 80GB (or 8 GPUs with as much memory). Not a paper setting:
#            a scaled-down recipe for trying the pipeline and for small judges.
# Software : verl 0.9.1 (FSDP actor, vLLM rollout, the default V1 trainer) and patarm with the
#            `verl` extra, in one Python environment.
# Status   : flags and keys checked against the verl 0.9.1 source; not run end-to-end on GPUs.
#
# Launch   : PAIRS=pairs.jsonl MODEL_PATH=/path/to/qwen3-4b-judge-sft \
#              bash examples/verl/run_single_node.sh [extra Hydra overrides]
#            verl starts a local Ray instance (or joins one already started on this machine).
#            Extra overrides go last and win, e.g. `trainer.save_freq=10`.
#            DRY_RUN=1 prints the commands instead of running them.
#
# Tags: [paper] = as in the paper's 8B RL stage (8 rollouts per judge prompt, 1 epoch).
# [default] = this project's choice: the paper trains 8B and 14B judges only, so the model, learning
# rate, batch and response length here are ours. See examples/verl/README.md.
set -euo pipefail

# ---- paths -------------------------------------------------------------------------------------
# Start from the SFT (format warm-up) checkpoint of the judge: a model that cannot yet end with
# <answer>K</answer> gets the format penalty on every rollout and no PAR signal.
MODEL_PATH=${MODEL_PATH:-Qwen/Qwen3-4B}
PAIRS=${PAIRS:-}                         # pairs JSONL {pair_id, prompt, chosen, rejected, domain}
DOMAIN_COL=${DOMAIN_COL:-domain}         # domain column of PAIRS ('' = route every pair by rules)
DATA_DIR=${DATA_DIR:-$HOME/data/patarm}
TRAIN_FILE=${TRAIN_FILE:-$DATA_DIR/train.parquet}
VAL_PAIRS=${VAL_PAIRS:-}                 # optional held-out pairs: validation with par_* metrics
VAL_FILE=${VAL_FILE:-}
CKPT_DIR=${CKPT_DIR:-$HOME/checkpoints/patarm/qwen3-4b-par}

# ---- cluster -----------------------------------------------------------------------------------
NNODES=${NNODES:-1}
GPUS_PER_NODE=${GPUS_PER_NODE:-8}

# ---- from the paper ----------------------------------------------------------------------------
ROLLOUT_N=${ROLLOUT_N:-8}                        # [paper] rollouts per judge prompt (one GRPO group per side)
PAIR_EPOCHS=${PAIR_EPOCHS:-1}                    # [paper] 1 epoch over the pairs

# ---- this project's defaults -------------------------------------------------------------------
LR=${LR:-1e-6}                                   # [default] verl's default actor lr (paper: 5e-7 for 8B)
TRAIN_BATCH_SIZE=${TRAIN_BATCH_SIZE:-64}         # [default] 64 judge-prompt rows = 32 pairs x 2 sides (paper: 256)
PPO_MINI_BATCH_SIZE=${PPO_MINI_BATCH_SIZE:-64}   # [default] = TRAIN_BATCH_SIZE: one optimizer update per step
MAX_RESPONSE_LENGTH=${MAX_RESPONSE_LENGTH:-2048} # [default] shorter than the paper's 4096: watch par_malformed
MAX_PROMPT_LENGTH=${MAX_PROMPT_LENGTH:-4096}     # [default] judge prompt = rubric + question + the response judged
KL_LOSS_COEF=${KL_LOSS_COEF:-0.001}              # [default] KL is not published; verl's GRPO docs: KL loss on, 0.001, low_var_kl
TEMPERATURE=${TEMPERATURE:-1.0}                  # [default] rollout sampling temperature
ROLLOUT_TP=${ROLLOUT_TP:-1}                      # [default] vLLM tensor parallel size (8 replicas on 8 GPUs)
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
EXPERIMENT_NAME=${EXPERIMENT_NAME:-qwen3-4b-par-1node}
LOGGER=${LOGGER:-[console]}                      # e.g. [console,wandb]
SAVE_FREQ=${SAVE_FREQ:-20}
TEST_FREQ=${TEST_FREQ:-20}                       # used only with VAL_PAIRS / VAL_FILE

# ---- data build, validation and the verl main_ppo command: shared by the recipes in this folder --
# shellcheck source=par_grpo_common.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/par_grpo_common.sh" "$@"
