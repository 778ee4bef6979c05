# One address of beta flaps. A single lost round is no verdict (fall 2); an address that goes
# down, comes back and goes down again within resolve_after is one alert, paged once and
# resolved once.
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
set resolve_after 60s
run 30s
freeze 127.53.2.2
run 10s
thaw 127.53.2.2
run 30s
expect nothing

freeze 127.53.2.2
run 20s
expect FIRING nameserver_timeout provider=beta address=127.53.2.2 nameserver=ns2.beta-dns.test "does not answer over udp from vantage default: 2 failures in a row, last timeout" at 80s
thaw 127.53.2.2
run 30s
freeze 127.53.2.2
run 20s
thaw 127.53.2.2
run 60s
expect nothing
run 30s
expect RESOLVED nameserver_timeout address=127.53.2.2 "ns2.beta-dns.test (127.53.2.2) of provider beta answers again for shop.test from vantage default after 2 m 0 s" at 200s
run 5m
expect nothing
