# The parent stops delegating the zone (the servers still answer it): a critical
# delegation_missing at once, one page; the zone's delegation_mismatch is muted meanwhile;
# restored -> one RESOLVED.
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
undelegate
run 60s
expect FIRING delegation_missing "is missing (parent_nxdomain): the parent's server 127.53.0.2 (zone 'test') answers NXDOMAIN" at 60s
run 20m
expect nothing
redelegate
run 60s
expect RESOLVED delegation_missing "the parent delegates shop.test again after 21 m 20 s without a delegation" at 1340s
run 5m
expect nothing
