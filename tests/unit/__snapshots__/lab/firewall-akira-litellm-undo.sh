set -eu
if firewall-cmd --permanent --query-rich-rule='rule family="ipv4" source address="100.64.0.0/10" port port="4000" protocol="tcp" accept' >/dev/null 2>&1; then
  firewall-cmd --permanent --remove-rich-rule='rule family="ipv4" source address="100.64.0.0/10" port port="4000" protocol="tcp" accept' >/dev/null
  firewall-cmd --reload >/dev/null
fi
