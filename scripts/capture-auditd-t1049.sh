#!/usr/bin/env bash
# Vigil: records a REAL auditd log of T1049 commands and benign look-alikes on
# this machine, for the Linux rules' tests.
#
#   sudo scripts/capture-auditd-t1049.sh [OUT_DIR]      (default: test/fixtures/auditd)
#
# 1. installs what is missing (auditd, net-tools, lsof, procps, iproute2, iputils-ping)
# 2. starts auditd with a private config and log (or reuses the running one)
# 3. loads rules/auditd/vigil-t1049.rules (each rule keyed vigil_t1049_*)
# 4. runs every command below in a fresh audit session (its own ses=…)
# 5. removes exactly the rules it loaded, stops the auditd it started (by PID)
# 6. keeps, unchanged, the records of that session's events that Vigil's rules
#    caused: OUT_DIR/t1049-capture.log, plus OUT_DIR/t1049-capture.commands.tsv
#    (pid, T1049 yes/no, the Vigil rule id expected to fire, command, why)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
# shellcheck source=lib/vigil-auditd.sh
. "$HERE/lib/vigil-auditd.sh"

RULE_LISTING=2fcf4bb0-6c2b-4da9-bd90-0f12a278adee   # linux/connection_listing_tools.yml
RULE_PROCNET=bda8587c-519f-4c8c-9b30-6dc28025215f   # linux/proc_net_socket_table_read.yml
RULE_SOCKDIAG=d2f11896-ddb0-477c-8b92-03840d65b23e  # linux/netlink_sock_diag_unknown_binary.yml

# ---------------------------------------------------------------------------
# Inside the audit session: run each command, one TSV row per command.
# ---------------------------------------------------------------------------
if [ "${1:-}" = "--run-commands" ]; then
  tsv=$2 work=$3
  printf 'pid\tt1049\trule\tcommand\twhy\n' > "$tsv"
  # run YES|NO RULE WHY -- COMMAND...   (the command runs as its own process: $! is its pid)
  run() {
    local expected=$1 rule=$2 why=$3
    shift 4
    "$@" </dev/null >/dev/null 2>&1 &
    local pid=$!
    wait "$pid" || true
    local shown
    shown=$(printf '%q ' "$@")
    printf '%s\t%s\t%s\t%s\t%s\n' "$pid" "$expected" "$rule" "${shown% }" "$why" >> "$tsv"
  }
  # A long filter (several KiB): auditd splits such an argument into a2_len/a2[0]/a2[1]… records.
  long_filter="("
  for ((p = 20001; p <= 20400; p++)); do long_filter+=" dport = :$p or"; done
  long_filter+=" dport = :9 )"

  # --- T1049: the listing tools (process_creation) ---
  run yes $RULE_LISTING "netstat lists TCP sockets" -- netstat -ant
  run yes $RULE_LISTING "netstat with owning process ids and timers" -- netstat -ano
  run yes $RULE_LISTING "ss lists TCP/UDP sockets with processes" -- ss -tunap
  run yes $RULE_LISTING "ss with a long filter (split EXECVE argument)" -- ss -tan "$long_filter"
  run yes $RULE_LISTING "lsof lists network files" -- lsof -i
  run yes $RULE_LISTING "who -a lists sessions" -- who -a
  run yes $RULE_LISTING "w lists logged-on sessions" -- w
  # --- T1049: something else reading the socket tables (PATH records, key vigil_t1049_procnet) ---
  run yes $RULE_PROCNET "python script parses /proc/net/tcp" -- /usr/bin/python3 -c "import sys; print(len(open('/proc/net/tcp').read().splitlines()))"
  run yes $RULE_PROCNET "awk script reads /proc/net/tcp6" -- awk 'NR > 1 { n++ } END { print n + 0 }' /proc/net/tcp6
  run yes $RULE_PROCNET "the shell itself reads /proc/net/udp" -- sh -c 'while read -r line; do :; done < /proc/net/udp'
  run yes $RULE_PROCNET "cat via /proc/self/net/udp6" -- cat /proc/self/net/udp6
  run yes $RULE_PROCNET "relative path: cd /proc/net, then read tcp" -- sh -c 'cd /proc/net && exec cat tcp'
  run no - "setup: a renamed copy of netstat" -- cp /usr/bin/netstat "$work/nstat"
  run yes $RULE_PROCNET "renamed netstat still reads /proc/net/tcp" -- "$work/nstat" -ant
  run no - "setup: a renamed copy of ss" -- cp /usr/bin/ss "$work/sockets"
  run yes $RULE_SOCKDIAG "renamed ss dumps sockets over NETLINK_SOCK_DIAG" -- "$work/sockets" -tan

  # --- benign look-alikes: none may raise a T1049 alert ---
  run no - "interface addresses (T1016), NETLINK_ROUTE not SOCK_DIAG" -- ip addr
  run no - "routing table (T1016)" -- ip route
  run no - "netstat -rn prints the routing table, not connections (T1016)" -- netstat -rn
  run no - "netstat -i prints interface counters, not connections" -- netstat -i
  run no - "CPU information" -- cat /proc/cpuinfo
  run no - "interface counters from /proc/net/dev, not a socket table" -- cat /proc/net/dev
  run no - "a script reading /proc/net/dev" -- /usr/bin/python3 -c "print(len(open('/proc/net/dev').read()))"
  run no - "listing /proc/net opens no socket table" -- ls /proc/net
  run no - "stat of /proc/net/tcp is not a read" -- ls -l /proc/net/tcp
  run no - "process list (T1057)" -- ps aux
  run no - "who without -a: logged-in users (T1033), as ATT&CK names only who -a" -- who
  run no - "who -b: last boot time" -- who -b
  run no - "uptime shows w's header line only" -- uptime
  run no - "lsof without -i lists open files, not connections" -- lsof -p $$
  run no - "ping opens an ICMP socket, not a socket dump" -- ping -c1 127.0.0.1
  run no - "own user name (T1033)" -- whoami
  run no - "hostname (T1082)" -- hostname
  exit 0
fi

# ---------------------------------------------------------------------------
# Outside: set up, run the session, clean up, extract.
# ---------------------------------------------------------------------------
[ "$(id -u)" = 0 ] || vigil_die "run as root (auditctl, auditd)"
OUT=${1:-$REPO/test/fixtures/auditd}
mkdir -p "$OUT"

vigil_need_packages auditd:auditd auditctl:auditd netstat:net-tools lsof:lsof ps:procps w:procps who:coreutils \
  ss:iproute2 ip:iproute2 ping:iputils-ping awk:mawk /usr/bin/python3:python3

WORK=$(mktemp -d /tmp/vigil-capture.XXXXXX)
cleanup() {
  vigil_audit_rules_remove
  vigil_audit_stop
}
trap cleanup EXIT

vigil_audit_start "$WORK"
vigil_audit_rules_load "$REPO/rules/auditd/vigil-t1049.rules"

export VIGIL_SESSION_FILE=$WORK/session
vigil_in_new_session "$0" --run-commands "$WORK/commands.tsv" "$WORK"
SES=$(cat "$VIGIL_SESSION_FILE")
sleep 2 # let auditd write the last events

cleanup
trap - EXIT

vigil_audit_extract "$SES" vigil_t1049_ > "$OUT/t1049-capture.log"
cp "$WORK/commands.tsv" "$OUT/t1049-capture.commands.tsv"
echo "vigil: session $SES: $(grep -c . "$OUT/t1049-capture.log") records in $OUT/t1049-capture.log," \
  "$(($(grep -c . "$OUT/t1049-capture.commands.tsv") - 1)) commands in $OUT/t1049-capture.commands.tsv" >&2
rm -rf "$WORK"
