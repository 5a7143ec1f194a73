set -eu
changed=0
if ! firewall-cmd --permanent --query-rich-rule='rule family="ipv4" source address="100.64.0.0/10" port port="4000" protocol="tcp" accept' >/dev/null 2>&1; then
  firewall-cmd --permanent --add-rich-rule='rule family="ipv4" source address="100.64.0.0/10" port port="4000" protocol="tcp" accept' >/dev/null
  changed=1
fi
if ! firewall-cmd --query-rich-rule='rule family="ipv4" source address="100.64.0.0/10" port port="4000" protocol="tcp" accept' >/dev/null 2>&1; then
  firewall-cmd --reload >/dev/null
  changed=1
fi
if [ "$changed" = 1 ]; then echo changed; else echo unchanged; fi
