#!/bin/sh
# make cluster NODES=N: boot a cluster and leave it running.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
kc=$top/tests/harness/krgcluster
nodes=${1:-3}
"$kc" up --nodes "$nodes"
cat <<EOT

The cluster runs in the background (run dir: $top/build/run).
  $kc exec 1 -- krgadm nodes status     run a command on node 1
  $kc exec 2 -- sh -c 'dmesg | tail'    any shell command
  $kc crash 3                           kill node 3 like a power cut
  $kc log 1                             node 1's serial console
  $kc status                            nodes, and any kernel failure
  $kc down                              stop the cluster
EOT
