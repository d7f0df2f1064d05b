#!/bin/sh
# Runs `interlace run` and checks its exit status and, for a failure, its kind.
# usage: check.sh INTERLACE STATUS KINDS -- interlace-run-options -- program args...
# KINDS: the failure kinds accepted, separated by '|' ("-" when none is expected).
interlace=$1 expected_status=$2 kinds=$3
shift 4
json=$(mktemp)
trap 'rm -f "$json"' EXIT
"$interlace" run --json "$json" "$@"
status=$?
if [ "$status" != "$expected_status" ]; then
  echo "check.sh: interlace run exited with $status, expected $expected_status" >&2
  exit 1
fi
[ "$kinds" = "-" ] && exit 0
kind=$(sed -n 's/^  "kind": "\(.*\)",$/\1/p' "$json")
case "|$kinds|" in
  *"|$kind|"*) exit 0 ;;
esac
echo "check.sh: the failure's kind is '$kind', expected one of $kinds" >&2
exit 1
