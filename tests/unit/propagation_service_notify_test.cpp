// Tests for propagation/propagation_service's NOTIFY metrics: each refusal reaches /metrics by
// reason (nswatch_notify_rejected_total) and by verdict (nswatch_notify_messages_total, where
// unsigned, bad_key and bad_sig are counted together as bad_tsig).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <thread>

#include "notify_test_packets.hpp"
#include "propagation/propagation_service.hpp"

using namespace nswatch;
using namespace std::chrono_literals;

namespace {

Config notify_config() {
    Config c;
    c.keys = {TsigKey{"notify-key", "hmac-sha256", test::kKeySecret}};
    c.notify.enabled = true;
    c.notify.address = "127.0.0.1";
    c.notify.port = 0;
    c.notify.allow = {"127.0.0.1"};
    c.notify.keys = {"notify-key"};
    c.propagation.enabled = false;
    ZoneConfig z;
    z.name = "shop.test";
    c.zones.push_back(z);
    return c;
}

void send_and_wait(const std::vector<uint8_t>& msg, uint16_t port) {
    const int fd = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in dst{};
    dst.sin_family = AF_INET;
    dst.sin_port = htons(port);
    inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
    sendto(fd, msg.data(), msg.size(), 0, reinterpret_cast<const sockaddr*>(&dst), sizeof dst);
    pollfd p{fd, POLLIN, 0};
    REQUIRE(poll(&p, 1, 2000) == 1);  // every one of these is answered
    close(fd);
}

// The value of `family`{label=value}, or -1 when absent.
double sample(PropagationService& s, const std::string& family, const std::string& label,
              const std::string& value) {
    for (const auto& f : s.registry()->Collect()) {
        if (f.name != family) continue;
        for (const auto& m : f.metric) {
            for (const auto& l : m.label) {
                if (l.name == label && l.value == value) return m.counter.value;
            }
        }
    }
    return -1;
}

}  // namespace

TEST_CASE("propagation service: NOTIFY refusals are exported by reason and verdict",
          "[propagation][notify][tsig]") {
    PropagationService service(notify_config(), [] { return SnapshotPtr(); });
    REQUIRE(service.notify_port() != 0);
    // Every series exists from the start, at 0.
    for (const char* reason :
         {"malformed", "not_notify", "bad_question", "refused_source", "refused_zone", "unsigned",
          "bad_key", "bad_sig", "bad_time", "replayed"}) {
        INFO(reason);
        CHECK(sample(service, "nswatch_notify_rejected_total", "reason", reason) == 0);
    }
    CHECK(sample(service, "nswatch_notify_rejected_total", "reason", "accepted") == -1);
    CHECK(sample(service, "nswatch_notify_messages_total", "verdict", "bad_time") == 0);

    test::NotifyBuild stale;
    stale.key_name = "notify-key.";
    stale.time_signed = 1000000000;  // 2001
    send_and_wait(test::build_notify(stale), service.notify_port());
    send_and_wait(test::build_notify({}), service.notify_port());  // unsigned
    test::NotifyBuild unknown;
    unknown.key_name = "other-key.";
    send_and_wait(test::build_notify(unknown), service.notify_port());

    // The service thread exports the listener's counts each turn (at most 500 ms apart).
    for (int i = 0; i < 40; ++i) {
        if (sample(service, "nswatch_notify_rejected_total", "reason", "bad_key") == 1) break;
        std::this_thread::sleep_for(50ms);
    }
    CHECK(sample(service, "nswatch_notify_rejected_total", "reason", "bad_time") == 1);
    CHECK(sample(service, "nswatch_notify_rejected_total", "reason", "unsigned") == 1);
    CHECK(sample(service, "nswatch_notify_rejected_total", "reason", "bad_key") == 1);
    CHECK(sample(service, "nswatch_notify_rejected_total", "reason", "replayed") == 0);
    CHECK(sample(service, "nswatch_notify_messages_total", "verdict", "bad_time") == 1);
    CHECK(sample(service, "nswatch_notify_messages_total", "verdict", "bad_tsig") == 2);
    CHECK(sample(service, "nswatch_notify_messages_total", "verdict", "accepted") == 0);
}
