#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "alerts/channel.hpp"

namespace nswatch {

std::string hmac_sha256_hex(const std::string& key, const std::string& body) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &len);
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
        out += hex[mac[i] >> 4];
        out += hex[mac[i] & 15];
    }
    return out;
}

std::vector<HttpRequest> webhook_requests(const ChannelConfig& c, const nlohmann::json& payload) {
    HttpRequest r;
    r.url = c.url;
    r.body = payload.dump();
    r.headers.push_back("Content-Type: application/json");
    if (!c.hmac_secret.empty()) {
        r.headers.push_back("X-Nswatch-Signature: sha256=" +
                            hmac_sha256_hex(c.hmac_secret, r.body));
    }
    return {r};
}

std::vector<HttpRequest> channel_requests(const ChannelConfig& c, const nlohmann::json& payload,
                                          WallTime now, std::chrono::milliseconds hold) {
    if (c.type == "slack") return slack_requests(c, payload);
    if (c.type == "pagerduty") return pagerduty_requests(c, payload);
    if (c.type == "alertmanager") return alertmanager_requests(c, payload, now, hold);
    return webhook_requests(c, payload);
}

}  // namespace nswatch
