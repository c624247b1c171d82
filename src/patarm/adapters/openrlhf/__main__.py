"""``python -m patarm.adapters.openrlhf``: the file paths to give OpenRLHF, and the options."""

from patarm.adapters.openrlhf import ENV_KEYS, PAIR_AGENT_PATH, REWARD_FUNC_PATH

print(f"--train.agent_func_path {PAIR_AGENT_PATH}   # pair rows (pairing guaranteed)")
print(f"--reward.remote_url {REWARD_FUNC_PATH}   # side rows (pairing not guaranteed)")
print("options (environment):")
for key, text in ENV_KEYS.items():
    print(f"  {key}: {text}")
