# Vigil: shell functions to run a private (or reuse a running) auditd, load
# and remove Vigil's audit rules exactly, run commands in their own audit
# session, and cut that session's events out of the log. Sourced by
# scripts/capture-auditd-t1049.sh; meant to be reused (vigil emulate).
#
# Needs root (auditctl, auditd, /proc/self/loginuid). Uses only auditd's
# own tools; no global rule is touched except the ones loaded here.

# State, filled by the functions below.
VIGIL_AUDITD_PID=""        # PID of the auditd we started (empty when reusing one)
VIGIL_AUDIT_LOG=""         # the log file the events land in
VIGIL_AUDIT_LOG_START=0    # its size when we began (a reused log keeps older events)
VIGIL_LOADED_RULES=()      # the rule lines auditctl accepted

vigil_die() { echo "vigil: $*" >&2; exit 1; }

# PID of the auditd the kernel sends to (0 when none).
vigil_audit_daemon_pid() { auditctl -s | awk '$1 == "pid" { print $2 }'; }

# Installs the Debian packages whose commands are missing: vigil_need_packages cmd:pkg ...
vigil_need_packages() {
  local missing=() pair
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || [ -x "${pair%%:*}" ] || missing+=("${pair#*:}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "vigil: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
    || { apt-get update >/dev/null && apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; } \
    || vigil_die "cannot install ${missing[*]}"
}

# Starts auditd with a private configuration writing to DIR/audit.log, or
# reuses the auditd already running (its configured log file).
vigil_audit_start() {
  local dir=$1 running
  running=$(vigil_audit_daemon_pid)
  if [ -n "$running" ] && [ "$running" != 0 ]; then
    VIGIL_AUDIT_LOG=$(awk -F' *= *' '$1 == "log_file" { print $2 }' /etc/audit/auditd.conf 2>/dev/null)
    VIGIL_AUDIT_LOG=${VIGIL_AUDIT_LOG:-/var/log/audit/audit.log}
    VIGIL_AUDIT_LOG_START=$(stat -c %s "$VIGIL_AUDIT_LOG" 2>/dev/null || echo 0)
    echo "vigil: reusing the running auditd (pid $running), log $VIGIL_AUDIT_LOG" >&2
    return 0
  fi
  mkdir -p "$dir/plugins.d"
  # ENRICHED adds names (UID="root", SYSCALL=execve); HOSTNAME adds node=<host>.
  cat > "$dir/auditd.conf" <<EOF
local_events = yes
write_logs = yes
log_file = $dir/audit.log
log_format = ENRICHED
name_format = HOSTNAME
flush = INCREMENTAL_ASYNC
freq = 20
max_log_file = 64
max_log_file_action = IGNORE
num_logs = 2
space_left = 16
space_left_action = IGNORE
admin_space_left = 8
admin_space_left_action = IGNORE
disk_full_action = IGNORE
disk_error_action = IGNORE
plugin_dir = $dir/plugins.d
end_of_event_timeout = 2
EOF
  VIGIL_AUDIT_LOG=$dir/audit.log
  VIGIL_AUDIT_LOG_START=0
  auditd -c "$dir" -n >"$dir/auditd.out" 2>&1 &
  VIGIL_AUDITD_PID=$!
  local i
  for i in $(seq 1 50); do
    [ "$(vigil_audit_daemon_pid)" = "$VIGIL_AUDITD_PID" ] && return 0
    kill -0 "$VIGIL_AUDITD_PID" 2>/dev/null || vigil_die "auditd exited: $(cat "$dir/auditd.out")"
    sleep 0.1
  done
  vigil_die "auditd (pid $VIGIL_AUDITD_PID) did not register with the kernel"
}

# Loads each rule line of FILE; a line the kernel refuses (e.g. no 32-bit ABI) is reported and skipped.
vigil_audit_rules_load() {
  local file=$1 line
  while IFS= read -r line; do
    case "$line" in ''|'#'*) continue ;; esac
    # shellcheck disable=SC2086 # a rule line is auditctl's own word list
    if auditctl $line >/dev/null 2>&1; then
      VIGIL_LOADED_RULES+=("$line")
    else
      echo "vigil: auditctl refused: $line" >&2
    fi
  done < "$file"
  [ ${#VIGIL_LOADED_RULES[@]} -gt 0 ] || vigil_die "no audit rule could be loaded from $file"
}

# Removes exactly the rules vigil_audit_rules_load added (-a → -d, -w → -W).
vigil_audit_rules_remove() {
  local line
  for line in "${VIGIL_LOADED_RULES[@]}"; do
    case "$line" in
      -a*) line="-d${line#-a}" ;;
      -w*) line="-W${line#-w}" ;;
    esac
    # shellcheck disable=SC2086
    auditctl $line >/dev/null 2>&1 || echo "vigil: could not remove: $line" >&2
  done
  VIGIL_LOADED_RULES=()
}

# Stops the auditd this script started (by its PID), never another one.
vigil_audit_stop() {
  [ -n "$VIGIL_AUDITD_PID" ] || return 0
  kill -TERM "$VIGIL_AUDITD_PID" 2>/dev/null
  wait "$VIGIL_AUDITD_PID" 2>/dev/null
  VIGIL_AUDITD_PID=""
}

# Runs "$@" in a new audit login session (root writes its own loginuid,
# which gives the process and every descendant auid=0 and a fresh ses).
# The session id is written to the file named by $VIGIL_SESSION_FILE.
vigil_in_new_session() {
  bash -c 'echo 0 > /proc/self/loginuid || exit 97; read -r s < /proc/self/sessionid; echo "$s" > "$VIGIL_SESSION_FILE"; exec "$@"' vigil-session "$@"
}

# Prints, unchanged, every line of the events whose SYSCALL record has
# ses=SES and a key starting with PREFIX, from the part of the log written
# since vigil_audit_start. Records of one event share msg=audit(<id>).
vigil_audit_extract() {
  local ses=$1 prefix=$2 tmp
  tmp=$(mktemp)
  tail -c +"$((VIGIL_AUDIT_LOG_START + 1))" "$VIGIL_AUDIT_LOG" > "$tmp"
  awk -v ses="$ses" -v prefix="$prefix" '
    function id(line) { match(line, /msg=audit\([0-9.]+:[0-9]+\)/); return substr(line, RSTART, RLENGTH) }
    NR == FNR {
      if ($0 ~ /type=SYSCALL / && index($0, " ses=" ses " ") && index($0, " key=\"" prefix)) keep[id($0)] = 1
      next
    }
    keep[id($0)]
  ' "$tmp" "$tmp"
  rm -f "$tmp"
}
