set -eu
if [ -e /etc/ask-cli/env.pre-fabric ]; then mv -f /etc/ask-cli/env.pre-fabric /etc/ask-cli/env; else rm -f /etc/ask-cli/env; fi
