# shellcheck shell=bash
# Shared part of the verl PAR-GRPO launch recipes in this folder (run_qwen3_8b_16xa100.sh,
# run_qwen3_14b_32xa100.sh, run_single_node.sh). This file is SOURCED by those scripts as their
# last line, not run on its own:
#     source "$(dirname "${BASH_SOURCE[0]}")/par_grpo_common.sh" "$@"
# It takes the `run` helper from ../recipe_steps.sh (DRY_RUN=1 prints the commands instead of
# running them), checks the environment with `patarm doctor --stack verl`, builds the
# training / validation parquet from the pairs files when missing, sets up validation, and launches
# `python3 -m verl.trainer.main_ppo` with the script's arguments appended as Hydra overrides.
#
# Variables the sourcing script must set (the caller runs with `set -euo pipefail`):
#   paths    : MODEL_PATH PAIRS DOMAIN_COL DATA_DIR TRAIN_FILE VAL_PAIRS VAL_FILE CKPT_DIR
#              (PAIRS, VAL_PAIRS and VAL_FILE may be empty)
#   cluster  : NNODES GPUS_PER_NODE
#   training : LR TRAIN_BATCH_SIZE ROLLOUT_N MAX_RESPONSE_LENGTH PAIR_EPOCHS PPO_MINI_BATCH_SIZE
#              MAX_PROMPT_LENGTH KL_LOSS_COEF TEMPERATURE ROLLOUT_TP GPU_MEMORY_UTILIZATION SEED
#              MAX_TOKENS_PER_GPU LOGPROB_TOKENS_PER_GPU
#   PAR      : PAR_DELTA (a delta spec, e.g. graded(threshold=2)) PAR_TIMEOUT_S PAR_RENDEZVOUS
#   logging  : PROJECT_NAME EXPERIMENT_NAME LOGGER SAVE_FREQ TEST_FREQ
# Optional in the environment: DRY_RUN (1 = print the commands), RAY_ADDRESS (exported by the
# multi-node scripts). It exports HYDRA_FULL_ERROR=1.

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    echo "error: ${BASH_SOURCE[0]} is sourced by the run_*.sh scripts next to it, not run" >&2
    exit 1
fi
# shellcheck source=../recipe_steps.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/../recipe_steps.sh"
require_set MODEL_PATH PAIRS DOMAIN_COL DATA_DIR TRAIN_FILE VAL_PAIRS VAL_FILE CKPT_DIR \
    NNODES GPUS_PER_NODE LR TRAIN_BATCH_SIZE ROLLOUT_N MAX_RESPONSE_LENGTH PAIR_EPOCHS \
    PPO_MINI_BATCH_SIZE MAX_PROMPT_LENGTH KL_LOSS_COEF TEMPERATURE ROLLOUT_TP \
    GPU_MEMORY_UTILIZATION SEED MAX_TOKENS_PER_GPU LOGPROB_TOKENS_PER_GPU PAR_DELTA \
    PAR_TIMEOUT_S PAR_RENDEZVOUS PROJECT_NAME EXPERIMENT_NAME \
    LOGGER SAVE_FREQ TEST_FREQ

export HYDRA_FULL_ERROR=1

# ---- 0. the environment: verl 0.9 with its verl-core modules, no TRL 1.x, vLLM, flash-attn, GPUs ----
run patarm doctor --stack verl

# ---- 1. data: pairs -> verl parquet (two rows per pair, chosen then rejected) ------------------
build_parquet() {  # build_parquet PAIRS_FILE PARQUET
    if [[ -z "$1" ]]; then
        echo "error: $2 does not exist; set PAIRS (or VAL_PAIRS) to a pairs file to build it" >&2
        exit 1
    fi
    run mkdir -p "$(dirname "$2")"
    run patarm data build-verl --input "$1" --output "$2" --domain-col "$DOMAIN_COL"
}
[[ -f "$TRAIN_FILE" ]] || build_parquet "$PAIRS" "$TRAIN_FILE"
if [[ -n "$VAL_PAIRS" && -z "$VAL_FILE" ]]; then
    VAL_FILE=$DATA_DIR/val.parquet
fi
if [[ -n "$VAL_FILE" && ! -f "$VAL_FILE" ]]; then
    build_parquet "$VAL_PAIRS" "$VAL_FILE"
fi

# ---- 2. validation: off, or PAR on held-out pairs with rollout.n samples per side ----------------
if [[ -n "$VAL_FILE" ]]; then
    VALIDATION=(
        data.val_files="$VAL_FILE"
        trainer.val_before_train=True
        trainer.test_freq="$TEST_FREQ"
        actor_rollout_ref.rollout.val_kwargs.n="$ROLLOUT_N"      # PAR waits for n rollouts per side
        actor_rollout_ref.rollout.val_kwargs.do_sample=True
        actor_rollout_ref.rollout.val_kwargs.temperature="$TEMPERATURE"
    )
else
    # verl always builds a validation dataset; point it at the training file and never run it.
    VALIDATION=(data.val_files="$TRAIN_FILE" trainer.val_before_train=False trainer.test_freq=-1)
fi

# ---- 3. train ----------------------------------------------------------------------------------
run python3 -m verl.trainer.main_ppo \
    algorithm.adv_estimator=grpo \
    algorithm.use_kl_in_reward=False \
    data.train_files="$TRAIN_FILE" \
    "${VALIDATION[@]}" \
    data.custom_cls.path=pkg://patarm.adapters.verl \
    data.custom_cls.name=PairShuffledDataset \
    data.shuffle=False \
    data.seed="$SEED" \
    +data.pair_epochs="$PAIR_EPOCHS" \
    data.train_batch_size="$TRAIN_BATCH_SIZE" \
    data.max_prompt_length="$MAX_PROMPT_LENGTH" \
    data.max_response_length="$MAX_RESPONSE_LENGTH" \
    data.filter_overlong_prompts=True \
    data.filter_overlong_prompts_workers=8 \
    data.truncation=error \
    actor_rollout_ref.model.path="$MODEL_PATH" \
    actor_rollout_ref.model.use_remove_padding=True \
    actor_rollout_ref.model.enable_gradient_checkpointing=True \
    actor_rollout_ref.actor.strategy=fsdp \
    actor_rollout_ref.actor.optim.lr="$LR" \
    actor_rollout_ref.actor.ppo_mini_batch_size="$PPO_MINI_BATCH_SIZE" \
    actor_rollout_ref.actor.ppo_epochs=1 \
    actor_rollout_ref.actor.use_dynamic_bsz=True \
    actor_rollout_ref.actor.ppo_max_token_len_per_gpu="$MAX_TOKENS_PER_GPU" \
    actor_rollout_ref.actor.use_kl_loss=True \
    actor_rollout_ref.actor.kl_loss_coef="$KL_LOSS_COEF" \
    actor_rollout_ref.actor.kl_loss_type=low_var_kl \
    actor_rollout_ref.actor.entropy_coeff=0 \
    actor_rollout_ref.actor.fsdp_config.param_offload=False \
    actor_rollout_ref.actor.fsdp_config.optimizer_offload=False \
    actor_rollout_ref.ref.log_prob_max_token_len_per_gpu="$LOGPROB_TOKENS_PER_GPU" \
    actor_rollout_ref.rollout.name=vllm \
    actor_rollout_ref.rollout.n="$ROLLOUT_N" \
    actor_rollout_ref.rollout.temperature="$TEMPERATURE" \
    actor_rollout_ref.rollout.tensor_model_parallel_size="$ROLLOUT_TP" \
    actor_rollout_ref.rollout.gpu_memory_utilization="$GPU_MEMORY_UTILIZATION" \
    actor_rollout_ref.rollout.log_prob_max_token_len_per_gpu="$LOGPROB_TOKENS_PER_GPU" \
    reward.reward_manager.source=importlib \
    reward.reward_manager.module.path=pkg://patarm.adapters.verl \
    reward.reward_manager.name=PARRewardLoopManager \
    +reward.patarm.delta="'$PAR_DELTA'" \
    +reward.patarm.timeout_s="$PAR_TIMEOUT_S" \
    +reward.patarm.rendezvous="$PAR_RENDEZVOUS" \
    trainer.v1.trainer_mode=sync \
    trainer.nnodes="$NNODES" \
    trainer.n_gpus_per_node="$GPUS_PER_NODE" \
    trainer.total_epochs=1 \
    trainer.project_name="$PROJECT_NAME" \
    trainer.experiment_name="$EXPERIMENT_NAME" \
    trainer.logger="$LOGGER" \
    trainer.default_local_dir="$CKPT_DIR" \
    trainer.save_freq="$SAVE_FREQ" \
    "$@"
