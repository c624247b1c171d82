#!/usr/bin/env bash
# The `verl` environment (README "Supported environments"): patarm[verl] = verl 0.9.x with its
# verl-core extra, transformers 5.9-5.10, no TRL. Doctor, the verl adapter and recipe tests, and
# README's `main_ppo` command run to the GPU boundary (.ci/stacks/smoke/verl_main_ppo.py), and so
# does the policy recipe with the judge in verl's reward-model pool (smoke/verl_reward_pool.py), and
# the SFT recipe, data build included, up to verl SFT trainer's NCCL process group (smoke/verl_sft_trainer.py).
# shellcheck source=_common.bash
. "$(dirname "$0")/_common.bash"
build_env verl
patarm doctor --stack verl --no-gpu
# The real-model router test starts `transformers serve`, which needs transformers[serving] (not part
# of verl's environment); README's test environment has it and runs that test.
stack_tests tests/adapters/verl tests/doctor tests/test_launch_recipes.py tests/test_sft_recipes.py tests/data/test_sft_formats.py \
    -k "not test_openrlhf_recipe and not test_trl_recipe and not test_a_real_model_server_behind_verls_router"
python .ci/stacks/smoke/verl_main_ppo.py
python .ci/stacks/smoke/verl_reward_pool.py
python .ci/stacks/smoke/verl_sft_trainer.py
stack_done
