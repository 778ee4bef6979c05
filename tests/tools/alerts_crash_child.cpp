// The daemon side of the unit test "restart: SIGKILL between outbox write and delivery": evaluate
// once (provider beta down -> a provider_down notice committed to the outbox), then die by SIGKILL
// before any delivery attempt. A separate executable, spawned by the test, because forking the
// multi-threaded test process (under ASan in particular) can leave the child waiting forever on a
// lock another thread held at fork time.
//   usage: nswatch_alerts_crash_child STATE_DB WEBHOOK_URL
#include <signal.h>

#include <chrono>
#include <cstdio>

#include "alerts/alert_engine.hpp"

using namespace nswatch;

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s STATE_DB WEBHOOK_URL\n", argv[0]);
        return 2;
    }
    auto snap = std::make_shared<Snapshot>();
    snap->vantage = "v1";
    ZoneState z;
    z.zone = "shop.test";
    z.rounds = 5;
    for (const char* addr : {"10.0.1.1", "10.0.1.2"}) {
        TargetState t;
        t.target.zone = "shop.test";
        t.target.provider = "beta";
        t.target.vantage = "v1";
        t.target.nameserver = "ns1.beta.test";
        t.target.address = addr;
        t.up = false;
        t.last.outcome = Outcome::timeout;
        t.consecutive_failures = 3;
        z.targets.push_back(t);
    }
    snap->zones.push_back(z);

    AlertSettings settings;
    settings.enabled = true;
    settings.rules = default_rule_settings();
    settings.resolve_after = std::chrono::milliseconds(0);
    ChannelConfig hook;
    hook.type = "webhook";
    hook.name = "webhook";
    hook.url = argv[2];
    settings.channels = {hook};
    try {
        AlertEngine engine(
            argv[1], settings, [&] { return SnapshotPtr(snap); }, nullptr);
        engine.evaluate_once(
            std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "alerts_crash_child: %s\n", e.what());
        return 1;
    }
    raise(SIGKILL);
    return 3;
}
