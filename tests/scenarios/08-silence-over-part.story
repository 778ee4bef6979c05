# A silence covers the start of an outage: nothing is sent while it lasts; when it expires and
# the provider is still down the page goes out, and the recovery is reported.
set interval 10s
set evaluation 10s
set fall 2
set rise 2
set tcp_every 3
set resolve_after 30s
zone shop.test primary ns1.alpha-dns.test
server alpha ns1.alpha-dns.test 127.53.1.1
server alpha ns2.alpha-dns.test 127.53.1.2
server beta ns1.beta-dns.test 127.53.2.1
server beta ns2.beta-dns.test 127.53.2.2
server gamma ns1.gamma-dns.test 127.53.3.1
server gamma ns2.gamma-dns.test 127.53.3.2
serial 2026112201
run 60s
silence provider=gamma for 40s
freeze gamma
run 60s
expect FIRING provider_down provider=gamma "does not answer" at 100s
thaw gamma
run 60s
expect RESOLVED provider_down provider=gamma at 150s
silence alertname=provider_down for 10m
freeze gamma
run 60s
thaw gamma
run 60s
expect nothing
run 5m
expect nothing
