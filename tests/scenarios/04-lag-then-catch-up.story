# beta stops following the primary: serial_lag once the lag reaches its threshold (300 s),
# counted from when the new serial was first seen; resolved when beta serves it.
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
run 300s
expect nothing
run 10s
expect FIRING serial_lag provider=beta "serves serial 2026112201, newest is 2026112202 (1 version behind), lagging for 300 s" at 360s
run 30s
expect nothing
catch-up beta
run 60s
expect RESOLVED serial_lag provider=beta "provider beta serves the newest serial 2026112202 of shop.test again from vantage default" at 420s
run 5m
expect nothing
