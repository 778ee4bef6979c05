// `zones_from` (zones listed in other files, by other tooling, or by catalog zones: one entry or
// a list of them) and `shard` (this instance's part of the zones). A zone-list file is read line by
// line (config/zone_list_file.hpp); a directory holds YAML fragments, each read as the main file
// is, its `zones` list zone by zone (config/zone_cut.hpp), so that no YAML tree of more than one
// zone exists at once.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "config/loader_detail.hpp"
#include "config/yaml_fields.hpp"
#include "config/zone_list_file.hpp"

namespace nswatch::config_detail {

namespace fs = std::filesystem;

namespace {

bool is_yaml_name(const fs::path& path) {
    const std::string ext = path.extension().string();
    return ext == ".yml" || ext == ".yaml";
}

}  // namespace

void Loader::read_zones_from(const Field& field, Config& config, ZoneSink& sink) const {
    if (!field.value.IsSequence()) {
        read_zones_from_entry(field, config, sink);
        return;
    }
    const std::vector<Field> entries = in_.list(
        field, "a list of entries, e.g. [{file: zones.txt}, {catalog: NAME, primary: ADDR}]");
    if (entries.empty()) {
        in_.fail(field, "an empty list: give at least one file or catalog entry, or leave it out");
    }
    std::vector<Field> catalog_names;  // each catalog entry's `catalog` field, in list order
    const Field* file_entry = nullptr;
    for (const Field& entry : entries) {
        if (entry.value.IsMap() && entry.value["file"] && file_entry != nullptr) {
            const YAML::Node node = entry.value["file"];
            in_.fail(Field{node, entry.path + ".file", node.Mark()},
                     "one file entry only (" + file_entry->path + " has one): several zone " +
                         "lists are the fragments of one directory, file: DIR");
        }
        const size_t before = config.inventory.catalogs.size();
        read_zones_from_entry(entry, config, sink);
        if (config.inventory.catalogs.size() == before) {
            file_entry = &entry;
            continue;
        }
        const YAML::Node node = entry.value["catalog"];
        Field name{node, entry.path + ".catalog", node.Mark()};
        const std::string& added = config.inventory.catalogs.back().name;
        for (size_t i = 0; i < before; ++i) {
            if (config.inventory.catalogs[i].name == added) {
                in_.fail(name, "catalog " + quote_value(added) + " is listed twice (" +
                                   catalog_names[i].path + " at line " +
                                   in_.line_of(catalog_names[i]) +
                                   "): give each catalog one entry");
            }
        }
        catalog_names.push_back(std::move(name));
    }
}

void Loader::read_zones_from_entry(const Field& field, Config& config, ZoneSink& sink) const {
    MapFields m = in_.map(field, {"file", "catalog", "primary", "port", "tsig", "source", "timeout",
                                  "max_members", "groups"});
    if (m.get("catalog") != nullptr) {
        if (const Field* f = m.get("file")) {
            in_.fail(*f, "give either file or catalog, not both");
        }
        read_catalog_source(m, config);
        return;
    }
    for (const char* key :
         {"primary", "port", "tsig", "source", "timeout", "max_members", "groups"}) {
        if (const Field* f = m.get(key)) {
            in_.fail(*f, std::string(key) + " belongs to a catalog: add catalog: NAME");
        }
    }
    const Field& file =
        in_.require(m, "file", "the zone-list file or fragment directory, e.g. file: zones.txt");
    fs::path path = in_.string(file, "a path to a zone-list file or a directory of *.yml files");
    if (path.is_relative()) path = base_dir_ / path;
    config.inventory.zones_from = path.string();
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (ec || !fs::exists(status)) {
        in_.fail(file, "cannot read " + quote_value(path.string()) + ": " +
                           (ec ? ec.message() : std::string("No such file or directory")));
    }
    if (!fs::is_directory(status)) {
        if (!fs::is_regular_file(status)) {
            // A device or a pipe has no end to read to (/dev/zero would fill the memory).
            in_.fail(file,
                     quote_value(path.string()) + " is neither a regular file nor a directory");
        }
        if (is_yaml_name(path)) {
            read_fragment_file(file, path, config, sink);
        } else {
            read_zone_list_file(file, path, config, sink);
        }
        return;
    }
    // A directory: its *.yml and *.yaml files in name order (not its subdirectories), so that tools
    // can each own a file and the order, hence the error reported first, is the same on every host.
    std::vector<fs::path> fragments;
    fs::directory_iterator it(path, ec);
    if (ec) in_.fail(file, "cannot list " + quote_value(path.string()) + ": " + ec.message());
    for (const fs::directory_iterator end; it != end; it.increment(ec)) {
        const fs::path& p = it->path();
        if (is_yaml_name(p) && fs::is_regular_file(it->status())) fragments.push_back(p);
    }
    if (ec) in_.fail(file, "cannot list " + quote_value(path.string()) + ": " + ec.message());
    std::sort(fragments.begin(), fragments.end(),
              [](const fs::path& a, const fs::path& b) { return a.filename() < b.filename(); });
    for (const fs::path& p : fragments) read_fragment_file(file, p, config, sink);
}

std::ifstream Loader::open_zone_source(const Field& at, const fs::path& path) const {
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    if (!ec && size > kMaxConfigBytes) {
        in_.fail(at, quote_value(path.string()) + " is " + std::to_string(size) +
                         " bytes, more than the " + std::to_string(kMaxConfigBytes) +
                         " bytes nswatch reads");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        in_.fail(at, "cannot read " + quote_value(path.string()) + ": " + std::strerror(errno));
    }
    return in;
}

void Loader::read_zone_list_file(const Field& at, const fs::path& path, Config& config,
                                 ZoneSink& sink) const {
    std::ifstream in = open_zone_source(at, path);
    const std::string source = path.string();
    const uint32_t file = sink.add_file(source);
    read_zone_list(in, source, [&](ZoneConfig&& zone, int line) {
        sink.add(config, std::move(zone), file, line, 1);
    });
}

void Loader::read_fragment_file(const Field& at, const fs::path& path, Config& config,
                                ZoneSink& sink) const {
    std::ifstream in = open_zone_source(at, path);
    std::string text;
    {
        std::ostringstream buffer;
        buffer << in.rdbuf();
        text = std::move(buffer).str();
    }
    const std::string source = path.string();
    const uint32_t file = sink.add_file(source);
    Loader fragment(source, base_dir_);
    fragment.cut_zones_ = cut_zones_;
    fragment.load_fragment(text, config, sink, file);
}

void Loader::load_fragment(const std::string& yaml, Config& config, ZoneSink& sink,
                           uint32_t file) const {
    const size_t before = config.zones.size();
    read_cut_or_whole(
        yaml, [&](const ZoneCut* cut) { read_fragment(yaml, cut, config, sink, file); },
        [&] { sink.drop_from(config, before); });
}

void Loader::read_fragment(const std::string& yaml, const ZoneCut* cut, Config& config,
                           ZoneSink& sink, uint32_t file) const {
    const YAML::Node document = cut != nullptr ? parse_rest(*cut) : parse(yaml);
    Field root{document, "", YAML::Mark::null_mark()};
    if (root.value.IsNull() || !root.value.IsDefined()) return;  // an empty fragment lists none
    MapFields top = in_.map(root, {"zones"});
    if (const Field* f = top.get("zones")) read_zones_list(*f, cut, yaml, config, sink, file);
}

ShardSettings Loader::read_shard(const Field& field) const {
    MapFields m = in_.map(field, {"index", "count"});
    const Field& count_field =
        in_.require(m, "count", "how many shards the zones are split into, e.g. count: 4");
    const Field& index_field =
        in_.require(m, "index", "this instance's shard, from 0 to count - 1, e.g. index: 0");
    ShardSettings shard;
    shard.count = static_cast<uint32_t>(in_.integer(count_field, 1, kMaxShardCount));
    shard.index = static_cast<uint32_t>(in_.integer(index_field, 0, kMaxShardCount - 1));
    if (shard.index >= shard.count) {
        in_.fail(index_field, std::to_string(shard.index) + " is not below count " +
                                  std::to_string(shard.count) + ": the shards of " +
                                  std::to_string(shard.count) + " are numbered 0 to " +
                                  std::to_string(shard.count - 1));
    }
    return shard;
}

}  // namespace nswatch::config_detail
