// Sharding: several daemons split one zone list between them, each keeping the zones whose hash
// falls in its shard. The hash is Prometheus's `hashmod` (relabel action) on the zone name, so a
// relabel rule on the `zone` label, or a shell script (CONFIGURATION.md, "shard"), computes the
// same shard as nswatch: MD5 of the name, its last 8 bytes as a big-endian integer, modulo the
// shard count.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nswatch {

/// The largest shard count accepted: far beyond any fleet, small enough that a typo shows.
inline constexpr uint32_t kMaxShardCount = 1000000;

/// One instance's part of the zones: those whose zone_shard_hash modulo `count` is `index`.
struct ShardSettings {
    /// This instance's shard, 0 to count - 1.
    uint32_t index = 0;
    /// How many shards the zones are split into; 1 keeps every zone.
    uint32_t count = 1;

    bool operator==(const ShardSettings&) const = default;
};

/// Prometheus hashmod's hash of `zone`: the last 8 bytes of MD5(zone) as a big-endian integer.
/// `zone` must be in the form the config stores (lower case, no trailing dot): hashes of
/// "Shop.Test." and "shop.test" differ.
uint64_t zone_shard_hash(std::string_view zone);

/// The shard of `zone` among `count` (>= 1): zone_shard_hash(zone) % count.
uint32_t shard_of(std::string_view zone, uint32_t count);

/// Whether `zone` belongs to `shard`.
bool in_shard(std::string_view zone, const ShardSettings& shard);

/// Reads "I/N" (the --shard option): whole numbers, 0 <= I < N <= kMaxShardCount. On bad text
/// returns nullopt and says why in `why`.
std::optional<ShardSettings> parse_shard(std::string_view text, std::string* why);

/// "shard I/N: K of M zones", the line the daemon logs at start and reload.
std::string shard_summary(const ShardSettings& shard, size_t kept, size_t listed);

/// The --shard given on the command line, which every config load of this process applies over
/// the file's `shard` (LoadOptions::shard starts from it): the daemon's reloads and the one-shot
/// commands then need no code of their own for it. Set once by main before any command runs.
void set_command_line_shard(std::optional<ShardSettings> shard);
std::optional<ShardSettings> command_line_shard();

}  // namespace nswatch
