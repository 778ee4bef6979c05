# The daemon is killed in the middle of an outage and of a lag. After the restart nothing is
# paged again and nothing is resolved while it still holds: the alert state and the time each
# serial was first seen come back from SQLite; the RESOLVED messages count from before.
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
freeze gamma
run 30s
expect FIRING provider_down provider=gamma at 380s
restart
run 5m
expect nothing
thaw gamma
catch-up beta
# gamma's UDP answers at 700 s and 710 s bring it up; beta's TCP targets, asked every third
# round, still said the old serial until the TCP round at 710 s.
run 60s
expect RESOLVED provider_down provider=gamma "after 5 m 50 s down" at 730s
expect RESOLVED serial_lag provider=beta "serves the newest serial 2026112202" at 740s
restart
run 10m
expect nothing
