# TCP to one address fails while UDP answers: its own condition, tcp_failing, judged on the TCP
# rounds (every third), never provider_down or nameserver_timeout.
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
tcp-down 127.53.3.1
run 60s
# TCP rounds at 60 s and 90 s fail: down at 90 s.
expect FIRING tcp_failing provider=gamma address=127.53.3.1 "answers over UDP but not over TCP from vantage default: 2 TCP failures in a row, last timeout" at 90s
tcp-up 127.53.3.1
# TCP answers at 120 s and 150 s (rise 2, on the TCP rounds); resolve_after counts from 140 s,
# the last evaluation that could not yet tell.
run 60s
expect RESOLVED tcp_failing address=127.53.3.1 "ns1.gamma-dns.test (127.53.3.1) of provider gamma answers over TCP again for shop.test from vantage default after 1 m 20 s" at 170s
run 5m
expect nothing
