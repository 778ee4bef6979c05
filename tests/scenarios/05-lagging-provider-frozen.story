# A lagging provider stops answering. It cannot be judged lagging or not while silent: its
# serial_lag is neither resolved nor paged again; provider_down comes and goes on its own.
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
stale beta
serial 2026112202
run 310s
expect FIRING serial_lag provider=beta "lagging for 300 s" at 360s
freeze beta
run 60s
expect FIRING provider_down provider=beta at 380s
run 3m
expect nothing
thaw beta
run 60s
# beta answers again, still on the old serial: the lag alert goes on, provider_down resolves.
expect RESOLVED provider_down provider=beta "answers again" at 640s
catch-up beta
run 60s
expect RESOLVED serial_lag provider=beta "serves the newest serial 2026112202" at 690s
run 5m
expect nothing
