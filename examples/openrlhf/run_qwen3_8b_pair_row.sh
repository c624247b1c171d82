#!/usr/bin/env bash
# PaTaRM RL stage for a Qwen3-8B pointwise judge in OpenRLHF: GRPO (group_norm) with the
# Preference-Aware Reward (PAR), pair rows judged by patarm's pair agent.
#
# Hardware : 16 x A100 80GB (2 nodes x 8 GPUs), the paper's setup for 8B RL. Actor, reference model
#            and vLLM engines share all 16 GPUs (--train.colocate_all, sleep mode on both sides).
# Software : OpenRLHF 0.11.2 (DeepSpeed ZeRO-3, vLLM) and patarm, installed in the same environment
#            on every node (the pair agent file is loaded by path inside every vLLM engine); Ray with
#            its dashboard (`ray[default]`) for `ray job submit`.
# Status   : flags checked against openrlhf/cli/train_ppo_ray.py of OpenRLHF 0.11.2; not run
#            end-to-end on GPUs.
#
# Launch   : one Ray cluster over both nodes, then this script on the head node:
#              node 0:  ray start --head --port=6379 --dashboard-port=8265
#              node 1:  ray start --address=<node-0-ip>:6379
#              node 0:  PAIRS=/shared/pairs.jsonl MODEL_PATH=/shared/qwen3-8b-judge-sft \
#                         bash examples/openrlhf/run_qwen3_8b_pair_row.sh [extra train_ppo_ray flags]
#            Extra flags go last and win. MODEL_PATH, DATA_DIR, OUTPUT_DIR and CKPT_DIR must resolve to
#            the same files on every node (a shared file system). DRY_RUN=1 prints the commands.
#
# Tags: [paper] = published 8B RL setting (lr 5e-7, batch 256, 1 epoch, 4096-token responses,
# 8 rollouts per judge prompt; the paper reports about 246 s per step on 16 A100 in its own stack).
# [default] = this project's choice where the paper is silent. See examples/openrlhf/README.md.
set -euo pipefail

# ---- paths -------------------------------------------------------------------------------------
# Start from the SFT (format warm-up) checkpoint of the judge: a model that cannot yet end with
# <answer>K</answer> gets the format penalty on every rollout and no PAR signal.
MODEL_PATH=${MODEL_PATH:-Qwen/Qwen3-8B}
PAIRS=${PAIRS:-}                         # pairs JSONL {pair_id, prompt, chosen, rejected, domain}
DOMAIN_COL=${DOMAIN_COL:-domain}         # domain column of PAIRS ('' = route every pair by rules)
DATA_DIR=${DATA_DIR:-$HOME/data/patarm}
TRAIN_FILE=${TRAIN_FILE:-$DATA_DIR/train_pair_row.jsonl}
OUTPUT_DIR=${OUTPUT_DIR:-$HOME/checkpoints/patarm/qwen3-8b-par-openrlhf}   # final model
CKPT_DIR=${CKPT_DIR:-$OUTPUT_DIR/ckpt}                                      # resumable checkpoints

# ---- cluster -----------------------------------------------------------------------------------
RAY_DASHBOARD=${RAY_DASHBOARD:-http://127.0.0.1:8265}
NNODES=${NNODES:-2}
GPUS_PER_NODE=${GPUS_PER_NODE:-8}
VLLM_TP=${VLLM_TP:-2}                                        # [default] 8 engines x TP 2 = 16 GPUs
VLLM_ENGINES=$((NNODES * GPUS_PER_NODE / VLLM_TP))           # colocate_all: engines x TP = actor GPUs
VLLM_GPU_MEMORY_UTILIZATION=${VLLM_GPU_MEMORY_UTILIZATION:-0.6}  # [default]

# ---- from the paper ----------------------------------------------------------------------------
LR=${LR:-5e-7}                                   # [paper] 8B RL learning rate
PAIRS_PER_STEP=${PAIRS_PER_STEP:-128}            # [paper] "batch 256" judge prompts = 128 pairs x 2 sides
ROLLOUTS_PER_SIDE=${ROLLOUTS_PER_SIDE:-8}        # [paper] rollouts per judge prompt
MAX_NEW_TOKENS=${MAX_NEW_TOKENS:-4096}           # [paper] response length
NUM_EPISODES=${NUM_EPISODES:-1}                  # [paper] 1 epoch over the pairs

# ---- this project's defaults -------------------------------------------------------------------
MAX_PROMPT_LENGTH=${MAX_PROMPT_LENGTH:-4096}     # [default] judge prompt = rubric + question + the response judged
KL_COEF=${KL_COEF:-1e-3}                         # [default] KL is not published; OpenRLHF's GRPO examples: KL loss, k3, 1e-3
TEMPERATURE=${TEMPERATURE:-1.0}                  # [default]
SEED=${SEED:-42}                                 # [default] OpenRLHF's row shuffle (rows are whole pairs here)
TRAIN_MICRO_BATCH_SIZE=${TRAIN_MICRO_BATCH_SIZE:-2}      # [default] per GPU, packed samples
ROLLOUT_MICRO_BATCH_SIZE=${ROLLOUT_MICRO_BATCH_SIZE:-4}  # [default] per GPU, log-prob passes
SAVE_STEPS=${SAVE_STEPS:-20}

# pair rows: one row per pair, 2n samples per row (first n judge the chosen side, last n the rejected)
N_SAMPLES_PER_PROMPT=$((2 * ROLLOUTS_PER_SIDE))
TRAIN_BATCH_SIZE=$((PAIRS_PER_STEP * N_SAMPLES_PER_PROMPT))  # [default] one optimizer update per rollout batch
MAX_LEN=$((MAX_PROMPT_LENGTH + MAX_NEW_TOKENS))              # OpenRLHF's max_len = prompt + response

# ---- PAR (patarm, PATARM_* variables reach the vLLM engines through the job's runtime env) ------
# The paper's graded delta (stable); its threshold is tied to the SFT filter's margin (2 on 1-10).
# Or constant, or your own: PAR_DELTA='my_pkg.deltas:capped(max=2)'.
PAR_DELTA=${PAR_DELTA:-graded(threshold=2,low=0.5,high=1.0)}  # [default]
PAR_TIMEOUT_S=${PAR_TIMEOUT_S:-900}              # [default] longest wait for the partner side
PAR_CENTER_BY_SIDE=${PAR_CENTER_BY_SIDE:-1}      # [default] subtract each side's mean reward (see README)

# ---- logging -----------------------------------------------------------------------------------
TENSORBOARD_DIR=${TENSORBOARD_DIR:-$OUTPUT_DIR/tensorboard}
WANDB_API_KEY=${WANDB_API_KEY:-}                 # set to log to Weights & Biases as well
WANDB_PROJECT=${WANDB_PROJECT:-patarm}
RUN_NAME=${RUN_NAME:-qwen3-8b-par-pair-row-16xa100}

run() {
    if [[ "${DRY_RUN:-0}" == 1 ]]; then
        printf '+'; printf ' %q' "$@"; printf '\n'
    else
        "$@"
    fi
}

# ---- 0. the environment: OpenRLHF 0.11 at its pins, patarm's hook files, vLLM, DeepSpeed, GPUs ---
run patarm doctor --stack openrlhf

# ---- 1. data: pairs -> OpenRLHF pair rows (input = chosen judge prompt, label = JSON with both) --
if [[ ! -f "$TRAIN_FILE" ]]; then
    if [[ -z "$PAIRS" ]]; then
        echo "error: $TRAIN_FILE does not exist; set PAIRS to a pairs file to build it" >&2
        exit 1
    fi
    run mkdir -p "$(dirname "$TRAIN_FILE")"
    run patarm data build-openrlhf --input "$PAIRS" --output "$TRAIN_FILE" --mode pair-row \
        --domain-col "$DOMAIN_COL"
fi

# ---- 2. the pair agent (imports OpenRLHF and patarm: fails here if either is missing) -----------
PAIR_AGENT=$(python3 -c 'import patarm.adapters.openrlhf.pair_agent as m; print(m.__file__)')

RUNTIME_ENV=$(printf '{"env_vars": {"PATARM_ROLLOUTS_PER_SIDE": "%s", "PATARM_DELTA": "%s", "PATARM_TIMEOUT_S": "%s", "PATARM_CENTER_BY_SIDE": "%s"}}' \
    "$ROLLOUTS_PER_SIDE" "$PAR_DELTA" "$PAR_TIMEOUT_S" "$PAR_CENTER_BY_SIDE")

LOGGING=(--logger.tensorboard_dir "$TENSORBOARD_DIR")
if [[ -n "$WANDB_API_KEY" ]]; then
    LOGGING+=(--logger.wandb.key "$WANDB_API_KEY" --logger.wandb.project "$WANDB_PROJECT"
              --logger.wandb.run_name "$RUN_NAME")
fi

# ---- 3. train ----------------------------------------------------------------------------------
run ray job submit --address="$RAY_DASHBOARD" --runtime-env-json="$RUNTIME_ENV" -- \
    python3 -m openrlhf.cli.train_ppo_ray \
    --actor.model_name_or_path "$MODEL_PATH" \
    --actor.num_nodes "$NNODES" \
    --actor.num_gpus_per_node "$GPUS_PER_NODE" \
    --ref.num_nodes "$NNODES" \
    --ref.num_gpus_per_node "$GPUS_PER_NODE" \
    --train.colocate_all \
    --vllm.num_engines "$VLLM_ENGINES" \
    --vllm.tensor_parallel_size "$VLLM_TP" \
    --vllm.gpu_memory_utilization "$VLLM_GPU_MEMORY_UTILIZATION" \
    --vllm.enable_sleep \
    --vllm.enable_prefix_caching \
    --ds.enable_sleep \
    --train.agent_func_path "$PAIR_AGENT" \
    --data.prompt_dataset "$TRAIN_FILE" \
    --data.input_key input \
    --data.label_key label \
    --data.apply_chat_template \
    --data.max_len "$MAX_LEN" \
    --rollout.max_new_tokens "$MAX_NEW_TOKENS" \
    --rollout.n_samples_per_prompt "$N_SAMPLES_PER_PROMPT" \
    --rollout.batch_size "$PAIRS_PER_STEP" \
    --rollout.micro_batch_size "$ROLLOUT_MICRO_BATCH_SIZE" \
    --rollout.temperature "$TEMPERATURE" \
    --train.batch_size "$TRAIN_BATCH_SIZE" \
    --train.micro_batch_size "$TRAIN_MICRO_BATCH_SIZE" \
    --train.max_epochs 1 \
    --train.num_episodes "$NUM_EPISODES" \
    --train.seed "$SEED" \
    --algo.advantage.estimator group_norm \
    --algo.kl.use_loss \
    --algo.kl.estimator k3 \
    --algo.kl.init_coef "$KL_COEF" \
    --actor.adam.lr "$LR" \
    --actor.lr_scheduler constant \
    --ds.zero_stage 3 \
    --ds.param_dtype bf16 \
    --ds.packing_samples \
    --actor.gradient_checkpointing_enable \
    --ckpt.output_dir "$OUTPUT_DIR" \
    --ckpt.path "$CKPT_DIR" \
    --ckpt.save_steps "$SAVE_STEPS" \
    --ckpt.save_hf \
    "${LOGGING[@]}" \
    "$@"
