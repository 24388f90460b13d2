#!/usr/bin/env bash
# Schema checks shared by .ci/run and its tests. Run from a git checkout's top level, with
# node_modules/.bin on PATH (buf finds protoc-gen-es there).
#   check-schemas.sh lint       buf lint (STANDARD)
#   check-schemas.sh breaking   no break against main (from another branch) nor against any of the
#                               last 20 commits that touched proto/, so a field removed by any commit
#                               of a submission is caught
#   check-schemas.sh fresh      buf generate changes nothing under gen/
set -uo pipefail

lint() { buf lint; }

breaking() {
  local head branch against ok=0
  head=$(git rev-parse HEAD)
  branch=$(git rev-parse --abbrev-ref HEAD)
  if [ "$branch" != main ] && git rev-parse -q --verify main >/dev/null; then
    echo "buf breaking against main"
    buf breaking --against '.git#branch=main' || ok=1
  fi
  for against in $(git log --format=%H -n 20 -- proto | grep -v "^$head$"); do
    echo "buf breaking against ${against:0:10}"
    buf breaking --against ".git#ref=$against" || ok=1
  done
  return $ok
}

fresh() {
  buf generate || return 1
  if [ -n "$(git status --porcelain -- gen)" ]; then
    echo "gen/ is stale: run 'npm run gen' and commit the result. Difference:"
    git status --porcelain -- gen
    git --no-pager diff --stat -- gen
    return 1
  fi
}

case "${1:-}" in
  lint | breaking | fresh) "$1" ;;
  *) echo "usage: $0 lint|breaking|fresh" >&2; exit 2 ;;
esac
