# shellcheck shell=bash
# Steps the launch recipes under examples/ share, as shell functions. SOURCED by those recipes
# (or by the common file of their folder), not run on its own:
#     source "$(dirname "${BASH_SOURCE[0]}")/../recipe_steps.sh"
#   require_set VAR...      : stops, naming the first VAR not set by the script that sources the
#                             caller (the common file of a folder checks its recipe's settings)
#   run CMD...              : runs CMD, or prints it (`+ cmd args`, shell-quoted) when DRY_RUN=1
#   build_sft_file FORMAT   : builds SFT_FILE from PAIRS with the teacher TEACHER_ARGS
#                             (`patarm data build-sft --format FORMAT --margin MARGIN`) when it is
#                             missing; says what to set when PAIRS or TEACHER_ARGS is empty
#   torchrun_launcher       : sets LAUNCH to torchrun for one node (--standalone) or for NNODES
#                             nodes, this one NODE_RANK (GPUS_PER_NODE, MASTER_ADDR, MASTER_PORT)

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    echo "error: ${BASH_SOURCE[0]} is sourced by the recipes under examples/, not run" >&2
    exit 1
fi

require_set() {  # require_set VAR...
    local var
    for var in "$@"; do
        if [[ ! -v $var ]]; then
            echo "error: $var is not set; set it in the script that sources ${BASH_SOURCE[1]}" >&2
            exit 1
        fi
    done
}

run() {
    if [[ "${DRY_RUN:-0}" == 1 ]]; then
        printf '+'; printf ' %q' "$@"; printf '\n'
    else
        "$@"
    fi
}

build_sft_file() {  # build_sft_file FORMAT
    if [[ ! -f "$SFT_FILE" ]]; then
        if [[ -z "$PAIRS" || -z "$TEACHER_ARGS" ]]; then
            echo "error: $SFT_FILE does not exist; set PAIRS (a pairs file) and TEACHER_ARGS (the teacher," \
                "e.g. '--backend openai --base-url http://host:8000 --model Qwen/Qwen2.5-72B-Instruct') to build it" >&2
            exit 1
        fi
        run mkdir -p "$(dirname "$SFT_FILE")"
        # shellcheck disable=SC2086  # TEACHER_ARGS: the teacher's backend flags, split on spaces
        run patarm data build-sft --input "$PAIRS" --output "$SFT_FILE" --format "$1" --margin "$MARGIN" \
            --no-progress $TEACHER_ARGS
    fi
}

torchrun_launcher() {
    if [[ "$NNODES" == 1 ]]; then
        LAUNCH=(torchrun --standalone --nnodes=1 --nproc_per_node="$GPUS_PER_NODE")
    else
        LAUNCH=(torchrun --nnodes="$NNODES" --node_rank="$NODE_RANK" --nproc_per_node="$GPUS_PER_NODE"
                --master_addr="$MASTER_ADDR" --master_port="$MASTER_PORT")
    fi
}
