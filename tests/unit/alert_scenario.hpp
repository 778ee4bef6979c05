// Alert scenario stories: the whole alert path (probe outcomes -> ZoneTracker -> rules ->
// lifecycle -> notifications, with the real SQLite state file) driven on a virtual clock by a
// readable script, one story per file in tests/scenarios/ (Unbound's .rpl replay files are the
// model). The story's `expect` lines are the exact notifications a user would receive.
//
// Story language, one command per line (# starts a comment):
//   set interval|evaluation|resolve_after|repeat DURATION      (10s, 2m, 1h)
//   set fall|rise|tcp_every N
//   zone NAME [primary NAMESERVER]
//   server PROVIDER NAMESERVER ADDRESS       a UDP and a TCP target
//   serial N                                 every server that is not stale serves N
//   freeze|thaw WHO                          WHO: a provider or an address; UDP and TCP time out
//   tcp-down|tcp-up WHO                      only TCP times out
//   refuse|answer WHO                        answers REFUSED (lame) / answers again
//   stale|catch-up WHO                       keeps its serial when `serial` moves / follows again
//   undelegate|redelegate                    a discovery finds the parent answering NXDOMAIN
//                                            for the zone / referring to it again
//   run DURATION                             rounds every interval (the first at time 0),
//                                            evaluations every evaluation interval
//   restart                                  the daemon is killed and started again from its
//                                            SQLite state file
//   silence LABEL=VALUE... for DURATION
//   expect FIRING|RESOLVED RULE [LABEL=VALUE...] ["words in the message"] [at TIME]
//   expect nothing
// The notifications of a `run` must equal, in order, the `expect` lines that follow it.
#pragma once

#include <string>
#include <vector>

namespace nswatch::test {

/// Runs the story in `path`; returns the failures (empty when the story holds), each naming
/// the line of the story it concerns.
std::vector<std::string> run_alert_story(const std::string& path);

}  // namespace nswatch::test
