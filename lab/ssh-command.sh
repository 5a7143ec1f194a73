#!/usr/bin/env bash
# sshd's ForceCommand on every lab host. Logs the command the client asked for, one JSON
# line per command ({"ts","host","cmd"}) in <host dir>/commands.log, then runs it with
# `bash -c`, keeping stdin, stdout, stderr and the exit status. Tests read the log to count
# remote commands and to check that no secret ever travels in a command line.
# An SFTP session shows up as the sftp-server command line.
host=$1 log=$2
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

if [ -z "${SSH_ORIGINAL_COMMAND+set}" ]; then
  cmd='(interactive shell)'
else
  cmd=$SSH_ORIGINAL_COMMAND
fi

json_escape() {
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\n'/\\n}
  s=${s//$'\r'/\\r}
  s=${s//$'\t'/\\t}
  if [[ $s == *[[:cntrl:]]* ]]; then
    # rare: other control characters; let Python escape the original text
    /usr/bin/python3 -c 'import json,sys; print(json.dumps(sys.argv[1])[1:-1], end="")' "$1"
  else
    printf '%s' "$s"
  fi
}

line=$(printf '{"ts":"%s","host":"%s","cmd":"%s"}' "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)" "$host" "$(json_escape "$cmd")")
{ flock 9; printf '%s\n' "$line" >&9; } 9>>"$log"

if [ -z "${SSH_ORIGINAL_COMMAND+set}" ]; then
  exec bash --norc --noprofile -i
fi
exec bash --norc --noprofile -c "$SSH_ORIGINAL_COMMAND"
