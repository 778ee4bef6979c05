// Internal to the loader: the Loader class that walks the schema, shared by the loader_*.cpp files
// that each read a few sections. Not part of the config API (config/config.hpp is).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/config.hpp"
#include "config/yaml_fields.hpp"
#include "config/zone_cut.hpp"

namespace nswatch::config_detail {

// Upper bounds: beyond these a value is far more likely a slip (a missing unit, an extra zero)
// than an intent. A probe timeout over a minute would hold a round open for that long.
inline constexpr std::chrono::milliseconds kMaxProbeTimeout = std::chrono::seconds(60);
inline constexpr std::chrono::milliseconds kMaxInterval = std::chrono::hours(24 * 30);

/// The longest configuration line read (a flow list of thousands of zones fits; a value that
/// would need more is no setting or name).
inline constexpr size_t kMaxLineBytes = size_t{1} << 20;
/// The largest configuration file read.
inline constexpr uintmax_t kMaxConfigBytes = uintmax_t{256} << 20;

/// Gathers the zones of one load from every place that lists them (the inline `zones`, the
/// `zones_from` file or fragments): shares equal lists between zones, and remembers where each
/// zone was listed so that a zone listed twice is reported with both places.
class ZoneSink {
  public:
    /// `main_source` is the configuration file itself (file number 0).
    explicit ZoneSink(std::string main_source);

    /// A file zones come from; returns its number for add().
    uint32_t add_file(std::string path);
    /// Appends `zone`, listed in file `file` at `line`:`column` (1-based).
    void add(Config& config, ZoneConfig&& zone, uint32_t file, int line, int column);
    /// Room for `more` zones beyond those of `config`: a ZoneConfig is large, and the moves of
    /// a growing vector of 10,000 of them cost as much as reading their names.
    void reserve(Config& config, size_t more);
    /// Drops the zones of `config` from the `first`th on, and where they were listed (a fragment
    /// read again as one tree after its cut turned out unsure).
    void drop_from(Config& config, size_t first);
    /// Throws ConfigError at the second listing of the first zone listed twice (in reading order).
    void check_unique(const std::vector<ZoneConfig>& zones) const;

  private:
    struct At {
        uint32_t file;
        int line, column;
    };
    std::string where(const At& at) const;
    std::vector<std::string> files_;
    std::vector<At> at_;  ///< parallel to Config::zones
    /// Lists seen so far, by their contents: equal lists of later zones share them.
    std::unordered_map<std::string, SharedVector<StaticNameserver>> server_lists_;
    std::unordered_map<std::string, SharedVector<WatchName>> watch_lists_;
};

/// Keeps only the zones of config.shard.
void keep_shard(Config& config);

/// One load of one document: the entry point (loader.cpp) and one reader per section.
class Loader {
  public:
    Loader(std::string source, std::filesystem::path base_dir)
        : source_(source), base_dir_(std::move(base_dir)), in_(std::move(source)) {}

    Config load(const std::string& yaml, const LoadOptions& options);
    /// Parse every document as one yaml-cpp tree, the zones list too (the tests compare the two
    /// ways; without this a block `zones` list is parsed zone by zone, config/zone_cut.hpp).
    void parse_whole_document() { cut_zones_ = false; }
    /// Reads a `zones_from` fragment (a file holding only a `zones` list) into `config`, its list
    /// zone by zone as the main file's.
    void load_fragment(const std::string& yaml, Config& config, ZoneSink& sink,
                       uint32_t file) const;

  private:
    /// Where each zone of a list was first named (1-based line and column in the file).
    using SeenZones = std::unordered_map<std::string, std::pair<int, int>>;

    // loader.cpp
    /// Runs `read` with the cut of `yaml`'s zones list (config/zone_cut.hpp), or with nullptr
    /// (the whole document as one tree) when there is none, the cut is turned off, or the cut
    /// turns out unsure while read; `undo` then first drops what the cut's read added. A
    /// ConfigError of the cut's read gives way to a syntax error elsewhere in `yaml`, as in one
    /// tree.
    void read_cut_or_whole(const std::string& yaml, const std::function<void(const ZoneCut*)>& read,
                           const std::function<void()>& undo = {}) const;
    /// One load, from the whole document's tree or (with `cut`) from the rest's tree and each
    /// zone's own.
    Config load_document(const std::string& yaml, const LoadOptions& options, const ZoneCut* cut);
    /// The document's tree (with `tree` false, only its checks: syntax, one document).
    YAML::Node parse(const std::string& yaml, bool tree = true) const;
    /// Throws ConfigError when `yaml` holds more than one document (or a token the parser sticks
    /// on), and lets yaml-cpp's syntax errors out.
    void check_documents(const std::string& yaml) const;
    /// The tree of a cut's rest; throws ZoneCutUnsure when it does not parse with `zones` null.
    YAML::Node parse_rest(const ZoneCut& cut) const;
    /// Refuses a line longer than kMaxLineBytes, before yaml-cpp sees the text.
    void check_line_lengths(const std::string& yaml) const;
    // loader_vantages.cpp
    void read_root_hints(const Field& field, Config& config) const;
    void read_vantages(const Field& field, Config& config) const;
    void read_default_vantage(const Field& field, Config& config) const;
    // loader_probe.cpp
    void read_probe(const Field& field, ProbeSettings& probe) const;
    void read_discovery(const Field& field, DiscoverySettings& discovery) const;
    void read_thresholds(const Field& field, Thresholds& thresholds) const;
    ThresholdOverrides read_overrides(const Field& field, const Thresholds& global) const;
    void check_lag_order(const Field& at, const Thresholds& t) const;
    // loader_providers.cpp
    void read_providers(const Field& field, Config& config) const;
    // loader_zones.cpp
    void read_zones(const Field& field, Config& config, ZoneSink& sink, uint32_t file) const;
    /// read_zones_cut with a cut, read_zones without.
    void read_zones_list(const Field& field, const ZoneCut* cut, const std::string& yaml,
                         Config& config, ZoneSink& sink, uint32_t file) const;
    /// read_zones over the items of a cut list, each parsed on its own and freed after it is
    /// read; throws ZoneCutUnsure when an item does not parse alone as it did in the document.
    void read_zones_cut(const Field& field, const ZoneCut& cut, const std::string& yaml,
                        Config& config, ZoneSink& sink, uint32_t file) const;
    void add_listed_zone(const Field& item, Config& config, ZoneSink& sink, uint32_t file,
                         SeenZones& seen) const;
    // loader_zones_from.cpp
    /// `zones_from`: one entry (a map) or a list of them.
    void read_zones_from(const Field& field, Config& config, ZoneSink& sink) const;
    /// One `zones_from` entry: a file (or directory of fragments), or a catalog.
    void read_zones_from_entry(const Field& field, Config& config, ZoneSink& sink) const;
    /// A zones_from file opened for reading; fails naming `at` when it is larger than
    /// kMaxConfigBytes or cannot be read.
    std::ifstream open_zone_source(const Field& at, const std::filesystem::path& path) const;
    void read_zone_list_file(const Field& at, const std::filesystem::path& path, Config& config,
                             ZoneSink& sink) const;
    void read_fragment_file(const Field& at, const std::filesystem::path& path, Config& config,
                            ZoneSink& sink) const;
    /// A fragment's document, from the rest's tree and each zone's own (with `cut`) or from its
    /// whole tree.
    void read_fragment(const std::string& yaml, const ZoneCut* cut, Config& config, ZoneSink& sink,
                       uint32_t file) const;
    ShardSettings read_shard(const Field& field) const;
    // loader_catalog.cpp
    void read_catalog_source(const MapFields& m, Config& config) const;
    ZoneConfig read_group_template(const Field& field, const Config& config) const;
    // loader_zones.cpp
    ZoneConfig read_zone(const Field& field, const Config& config, Field& name_field) const;
    ReferenceSettings read_reference(const Field& field, const Config& config) const;
    std::vector<WatchName> read_watch(const Field& field, const std::string& zone) const;
    WatchName read_watch_entry(const Field& field, const std::string& zone) const;
    std::string read_watch_name(const Field& field, const std::string& zone) const;
    std::vector<StaticNameserver> read_nameservers(const Field& field) const;
    StaticNameserver read_nameserver(const Field& field) const;
    std::string domain_name(const Field& field, std::string_view what) const;
    // loader_outputs.cpp
    void read_storage(const Field& field, StorageSettings& storage) const;
    void read_http(const Field& field, HttpSettings& http) const;
    std::vector<std::string> read_listen(const Field& field) const;

    std::string source_;              ///< file path or source name, for Config::source
    std::filesystem::path base_dir_;  ///< relative paths (root_hints, zones_from) resolve here
    Reader in_;                       ///< reads values and throws positioned errors
    bool cut_zones_ = true;           ///< parse a block `zones` list zone by zone
};

}  // namespace nswatch::config_detail
