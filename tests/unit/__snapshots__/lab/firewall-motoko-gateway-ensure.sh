set -eu
if ! firewall-cmd --permanent --query-rich-rule='rule family="ipv4" source address="100.64.0.0/10" port port="8000" protocol="tcp" accept' >/dev/null 2>&1; then
  firewall-cmd --permanent --add-rich-rule='rule family="ipv4" source address="100.64.0.0/10" port port="8000" protocol="tcp" accept' >/dev/null
fi
firewall-cmd --query-rich-rule='rule family="ipv4" source address="100.64.0.0/10" port port="8000" protocol="tcp" accept' >/dev/null 2>&1 || firewall-cmd --reload >/dev/null
