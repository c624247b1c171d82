#!/usr/bin/env bash
# Policy GRPO in verl with a PaTaRM judge as the reward, the judge running INSIDE verl's own
# reward-model pool: verl starts the judge model on its own vLLM servers (in a GPU pool of their
# own, behind verl's router) and patarm's reward function judges through that router. No
# `patarm serve` to start or scale by hand.
#
# Hardware : 1 node, POLICY_GPUS for the policy (actor, rollout, reference) plus JUDGE_GPUS for the
#            judge's vLLM servers (default 4 + 4 on an 8 x 80 GB node; an 8B judge in bf16 needs
#            about 20 GB per replica).
# Software : verl 0.9 (V1 trainer, vLLM rollout) and patarm with the `verl` extra, in one environment.
# Status   : keys checked against the verl 0.9 source and composed with its Hydra config in CI, which
#            also runs this script to verl's GPU check on a CPU; not run end-to-end on GPUs.
#
# Launch   : TRAIN_FILE=train.parquet POLICY_PATH=Qwen/Qwen2.5-1.5B-Instruct JUDGE_PATH=/path/to/PaTaRM-8B \
#              bash examples/policy/run_verl_grpo_reward_pool.sh [extra Hydra overrides]
#            Rows: data_source, prompt (chat messages), reward_model.ground_truth, and extra_info
#            with `prompt` (the text the judge reads) and, optionally, `domain` or
#            instruction_id_list. Extra overrides go last and win. DRY_RUN=1 prints the commands;
#            DOCTOR_FLAGS=--no-gpu checks the environment on a machine without GPUs.
set -euo pipefail

# ---- paths -------------------------------------------------------------------------------------
TRAIN_FILE=${TRAIN_FILE:-$HOME/data/policy/train.parquet}
VAL_FILE=${VAL_FILE:-}                           # optional; validation is off without it
POLICY_PATH=${POLICY_PATH:-Qwen/Qwen2.5-1.5B-Instruct}
JUDGE_PATH=${JUDGE_PATH:-}                       # the trained judge (a local path or hub id)
CKPT_DIR=${CKPT_DIR:-$HOME/checkpoints/patarm/policy-grpo-reward-pool}

# ---- cluster: the policy's GPUs and the judge's own pool -----------------------------------------
NNODES=${NNODES:-1}
POLICY_GPUS=${POLICY_GPUS:-4}                    # per node: actor, rollout, reference
JUDGE_GPUS=${JUDGE_GPUS:-4}                      # per node: the judge's vLLM servers (reward pool)
JUDGE_TP=${JUDGE_TP:-1}                          # tensor parallel size of each judge server
JUDGE_GPU_MEMORY_UTILIZATION=${JUDGE_GPU_MEMORY_UTILIZATION:-0.85}

# ---- policy GRPO -------------------------------------------------------------------------------
ROLLOUT_N=${ROLLOUT_N:-8}                        # completions per prompt (the GRPO group)
TRAIN_BATCH_SIZE=${TRAIN_BATCH_SIZE:-64}
PPO_MINI_BATCH_SIZE=${PPO_MINI_BATCH_SIZE:-32}
LR=${LR:-1e-6}
MAX_PROMPT_LENGTH=${MAX_PROMPT_LENGTH:-1024}
MAX_RESPONSE_LENGTH=${MAX_RESPONSE_LENGTH:-1024}
KL_LOSS_COEF=${KL_LOSS_COEF:-0.001}
ROLLOUT_GPU_MEMORY_UTILIZATION=${ROLLOUT_GPU_MEMORY_UTILIZATION:-0.6}

# ---- the judge (patarm's prompts, parsing and voting; samples from verl's router) ---------------
JUDGE_SAMPLES=${JUDGE_SAMPLES:-1}                # judgments per response, voted (mean)
JUDGE_TEMPERATURE=${JUDGE_TEMPERATURE:-1.0}
JUDGE_MAX_NEW_TOKENS=${JUDGE_MAX_NEW_TOKENS:-1024}
JUDGE_PROMPT_LENGTH=${JUDGE_PROMPT_LENGTH:-4096} # rubric + question + the response judged
REWARD_FN=${REWARD_FN:-compute_score_async}      # or compute_score (run in verl's thread pool)
FALLBACK_REWARD=${FALLBACK_REWARD:-1.0}          # when no judge sample parses (the scale's low end)

# ---- logging -----------------------------------------------------------------------------------
PROJECT_NAME=${PROJECT_NAME:-patarm}
EXPERIMENT_NAME=${EXPERIMENT_NAME:-policy-grpo-reward-pool}
LOGGER=${LOGGER:-[console]}
SAVE_FREQ=${SAVE_FREQ:-20}
TEST_FREQ=${TEST_FREQ:-20}

export HYDRA_FULL_ERROR=1

# shellcheck source=../recipe_steps.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/../recipe_steps.sh"

if [[ -z "$JUDGE_PATH" ]]; then
    echo "error: set JUDGE_PATH to the judge model (a local path or hub id)" >&2
    exit 1
fi

# ---- 0. the environment: verl 0.9 with its verl-core modules, vLLM, GPUs ------------------------
# shellcheck disable=SC2086  # DOCTOR_FLAGS: zero or more flags
run patarm doctor --stack verl ${DOCTOR_FLAGS:-}

# ---- 1. validation: off, or on VAL_FILE --------------------------------------------------------
if [[ -n "$VAL_FILE" ]]; then
    VALIDATION=(data.val_files="$VAL_FILE" trainer.val_before_train=True trainer.test_freq="$TEST_FREQ")
else
    # verl always builds a validation dataset; point it at the training file and never run it.
    VALIDATION=(data.val_files="$TRAIN_FILE" trainer.val_before_train=False trainer.test_freq=-1)
fi

# ---- 2. train ----------------------------------------------------------------------------------
run python3 -m verl.trainer.main_ppo \
    algorithm.adv_estimator=grpo \
    algorithm.use_kl_in_reward=False \
    data.train_files="$TRAIN_FILE" \
    "${VALIDATION[@]}" \
    data.train_batch_size="$TRAIN_BATCH_SIZE" \
    data.max_prompt_length="$MAX_PROMPT_LENGTH" \
    data.max_response_length="$MAX_RESPONSE_LENGTH" \
    data.filter_overlong_prompts=True \
    data.truncation=error \
    actor_rollout_ref.model.path="$POLICY_PATH" \
    actor_rollout_ref.model.use_remove_padding=True \
    actor_rollout_ref.model.enable_gradient_checkpointing=True \
    actor_rollout_ref.actor.optim.lr="$LR" \
    actor_rollout_ref.actor.ppo_mini_batch_size="$PPO_MINI_BATCH_SIZE" \
    actor_rollout_ref.actor.use_dynamic_bsz=True \
    actor_rollout_ref.actor.use_kl_loss=True \
    actor_rollout_ref.actor.kl_loss_coef="$KL_LOSS_COEF" \
    actor_rollout_ref.actor.kl_loss_type=low_var_kl \
    actor_rollout_ref.actor.entropy_coeff=0 \
    actor_rollout_ref.rollout.name=vllm \
    actor_rollout_ref.rollout.n="$ROLLOUT_N" \
    actor_rollout_ref.rollout.gpu_memory_utilization="$ROLLOUT_GPU_MEMORY_UTILIZATION" \
    reward.reward_model.enable=True \
    reward.reward_model.model_path="$JUDGE_PATH" \
    reward.reward_model.enable_resource_pool=True \
    reward.reward_model.nnodes="$NNODES" \
    reward.reward_model.n_gpus_per_node="$JUDGE_GPUS" \
    reward.reward_model.rollout.name=vllm \
    reward.reward_model.rollout.tensor_model_parallel_size="$JUDGE_TP" \
    reward.reward_model.rollout.gpu_memory_utilization="$JUDGE_GPU_MEMORY_UTILIZATION" \
    reward.reward_model.rollout.prompt_length="$JUDGE_PROMPT_LENGTH" \
    reward.reward_model.rollout.response_length="$JUDGE_MAX_NEW_TOKENS" \
    reward.custom_reward_function.path=pkg://patarm.adapters.verl \
    reward.custom_reward_function.name="$REWARD_FN" \
    +reward.custom_reward_function.reward_kwargs.fallback_reward="$FALLBACK_REWARD" \
    +reward.custom_reward_function.reward_kwargs.judge.samples="$JUDGE_SAMPLES" \
    +reward.custom_reward_function.reward_kwargs.judge.temperature="$JUDGE_TEMPERATURE" \
    +reward.custom_reward_function.reward_kwargs.judge.max_new_tokens="$JUDGE_MAX_NEW_TOKENS" \
    trainer.v1.trainer_mode=sync \
    trainer.nnodes="$NNODES" \
    trainer.n_gpus_per_node="$POLICY_GPUS" \
    trainer.total_epochs=1 \
    trainer.project_name="$PROJECT_NAME" \
    trainer.experiment_name="$EXPERIMENT_NAME" \
    trainer.logger="$LOGGER" \
    trainer.default_local_dir="$CKPT_DIR" \
    trainer.save_freq="$SAVE_FREQ" \
    "$@"
