#!/usr/bin/env bash
# expect_error.sh CODE REGEX COMMAND...: runs COMMAND, requires exit code CODE and stderr matching REGEX (grep -E),
# and that no output file named by --out was left behind. Used by CTest for the CLI's bad-input behaviour.
set -u
code="$1"; regex="$2"; shift 2
out=""
args=("$@")
for ((i = 0; i < ${#args[@]}; ++i)); do
  [[ "${args[$i]}" == "--out" ]] && out="${args[$((i + 1))]}"
done
[[ -n "$out" ]] && rm -rf "$out"
stderr="$("$@" 2>&1 >/dev/null)"
status=$?
echo "exit code $status; stderr: $stderr"
[[ "$status" == "$code" ]] || { echo "FAIL: expected exit code $code"; exit 1; }
grep -Eq -- "$regex" <<<"$stderr" || { echo "FAIL: stderr does not match: $regex"; exit 1; }
if [[ -n "$out" ]] && compgen -G "${out}*" >/dev/null; then echo "FAIL: $out was left behind"; exit 1; fi
exit 0
