# One provider stops answering (both addresses, UDP and TCP) and comes back: exactly one FIRING
# provider_down and one RESOLVED, nothing per address (muted while the provider alert fires),
# and nothing about the TCP targets, probed every third round.
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
expect nothing

freeze gamma
run 60s
# Two failed UDP rounds (60 s, 70 s): down at the 70 s evaluation, fall x interval after 60 s.
expect FIRING provider_down provider=gamma vantage=default "none of its 2 addresses answered over udp in the last 2 rounds" at 70s

thaw gamma
run 60s
# Answers at 120 s and 130 s (rise 2): up at 130 s; resolve_after (30 s) after the last round
# that could not yet say so (120 s).
expect RESOLVED provider_down provider=gamma "provider gamma answers again for shop.test from vantage default on all 2 addresses after 1 m 20 s down" at 150s

run 10m
expect nothing
