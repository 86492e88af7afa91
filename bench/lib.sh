# Shared by the bench scripts: median wall time in milliseconds of running
# "$@" $runs times (stdout and stderr discarded). A script may define
# before_each_run to reset state (e.g. remove outputs) before every run.
median_ms() {
  local times=()
  for ((i = 0; i < runs; i++)); do
    if declare -F before_each_run >/dev/null; then before_each_run; fi
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s%N)
    times+=($(((end - start) / 1000)))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'
}
