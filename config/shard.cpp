#include "config/shard.hpp"

#include <openssl/evp.h>

#include <array>
#include <charconv>
#include <mutex>
#include <stdexcept>

namespace nswatch {

namespace {

// One fetch of the MD5 implementation for every hash: EVP_Digest with EVP_md5() fetches it again
// on each call, which at 100,000 zones is most of the cost.
const EVP_MD* md5() {
    static const EVP_MD* const md = [] {
        const EVP_MD* fetched = EVP_MD_fetch(nullptr, "MD5", nullptr);
        return fetched != nullptr ? fetched : EVP_md5();
    }();
    return md;
}

std::optional<uint32_t> whole_number(std::string_view text) {
    uint32_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
    return value;
}

std::mutex g_command_line_mutex;
std::optional<ShardSettings> g_command_line_shard;

}  // namespace

uint64_t zone_shard_hash(std::string_view zone) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    if (EVP_Digest(zone.data(), zone.size(), digest.data(), &size, md5(), nullptr) != 1 ||
        size != 16) {
        // Only a crypto library without MD5 (a FIPS-only provider) gets here: no shard can be
        // computed, and guessing one would split the zones differently from Prometheus.
        throw std::runtime_error("MD5 is not available from OpenSSL: sharding needs it");
    }
    uint64_t value = 0;
    for (size_t i = 8; i < 16; ++i) value = (value << 8) | digest[i];
    return value;
}

uint32_t shard_of(std::string_view zone, uint32_t count) {
    return static_cast<uint32_t>(zone_shard_hash(zone) % (count == 0 ? 1 : count));
}

bool in_shard(std::string_view zone, const ShardSettings& shard) {
    return shard.count <= 1 || shard_of(zone, shard.count) == shard.index;
}

std::optional<ShardSettings> parse_shard(std::string_view text, std::string* why) {
    const size_t slash = text.find('/');
    if (slash == std::string_view::npos) {
        *why = "expected INDEX/COUNT, e.g. 0/4 (shards are numbered from 0)";
        return std::nullopt;
    }
    const auto index = whole_number(text.substr(0, slash));
    const auto count = whole_number(text.substr(slash + 1));
    if (!index || !count) {
        *why = "expected INDEX/COUNT with whole numbers, e.g. 0/4 (shards are numbered from 0)";
        return std::nullopt;
    }
    if (*count == 0 || *count > kMaxShardCount) {
        *why = "the shard count must be between 1 and " + std::to_string(kMaxShardCount);
        return std::nullopt;
    }
    if (*index >= *count) {
        *why = "index " + std::to_string(*index) + " is not below the count " +
               std::to_string(*count) + ": the shards of " + std::to_string(*count) +
               " are numbered 0 to " + std::to_string(*count - 1);
        return std::nullopt;
    }
    return ShardSettings{*index, *count};
}

std::string shard_summary(const ShardSettings& shard, size_t kept, size_t listed) {
    return "shard " + std::to_string(shard.index) + "/" + std::to_string(shard.count) + ": " +
           std::to_string(kept) + " of " + std::to_string(listed) + " zones";
}

void set_command_line_shard(std::optional<ShardSettings> shard) {
    std::lock_guard lock(g_command_line_mutex);
    g_command_line_shard = shard;
}

std::optional<ShardSettings> command_line_shard() {
    std::lock_guard lock(g_command_line_mutex);
    return g_command_line_shard;
}

}  // namespace nswatch
