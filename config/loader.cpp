// The schema walk: one function per section, each reading its map through config_detail::Reader
// so every value is checked where it is read and reported at its own line and column. This file
// parses the document and reads the sections in dependency order; the section readers are in
// loader_*.cpp (config/loader_detail.hpp lists which file has which).
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "config/alerts_config.hpp"
#include "config/audit_section.hpp"
#include "config/config.hpp"
#include "config/loader_detail.hpp"
#include "config/notify_config.hpp"
#include "config/resolvers_loader.hpp"
#include "config/yaml_fields.hpp"

namespace nswatch {

ConfigError::ConfigError(std::string source, int line, int column, std::string message)
    : std::runtime_error(line > 0 ? source + ":" + std::to_string(line) + ":" +
                                        std::to_string(column) + ": " + message
                                  : source + ": " + message),
      source_(std::move(source)),
      line_(line),
      column_(column),
      message_(std::move(message)) {}

namespace config_detail {
namespace {

// Sections a later version will add. Naming them lets the error say "not yet" instead of
// "unknown", so a config written for a newer nswatch fails with an honest message.
const std::vector<std::string_view> kReservedTopLevel{};  // none at present

// Records where each document starts, and nothing else.
class DocumentStarts : public YAML::EventHandler {
  public:
    std::vector<YAML::Mark> starts;  ///< position of each document's first token

    void OnDocumentStart(const YAML::Mark& mark) override { starts.push_back(mark); }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  const std::string&) override {}
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                         YAML::EmitterStyle::value) override {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                    YAML::EmitterStyle::value) override {}
    void OnMapEnd() override {}
};

}  // namespace

void Loader::check_line_lengths(const std::string& yaml) const {
    // yaml-cpp takes seconds and hundreds of megabytes over a scalar of tens of megabytes, and
    // no setting or name comes near this: such a line is refused before parsing.
    size_t start = 0;
    int line = 0;
    while (start < yaml.size()) {
        const size_t end = std::min(yaml.find('\n', start), yaml.size());
        if (end - start > kMaxLineBytes) {
            YAML::Mark at;
            at.pos = static_cast<int>(std::min<size_t>(start, INT32_MAX));
            at.line = line;
            at.column = 0;
            in_.fail(at, "line is " + std::to_string(end - start) + " bytes long, more than the " +
                             std::to_string(kMaxLineBytes) +
                             " a configuration line may have (no setting or name is that long): " +
                             quote_value(std::string_view(yaml).substr(start, end - start)));
        }
        start = end + 1;
        ++line;
    }
}

void Loader::check_documents(const std::string& yaml) const {
    // Not YAML::LoadAll: in yaml-cpp 0.7 it loops forever, allocating, on a stray ',' at
    // document level (jbeder/yaml-cpp#1040, fixed upstream by #1319). The parser reports an
    // empty document there without consuming the token, again and again. So documents are
    // counted with a bounded parse: two are enough to know there is more than one, and a
    // second one starting where the first did is that stuck token.
    std::istringstream in(yaml);
    YAML::Parser parser(in);
    DocumentStarts documents;
    while (documents.starts.size() < 2 && parser.HandleNextDocument(documents)) {
    }
    if (documents.starts.size() == 2) {
        const YAML::Mark& first = documents.starts[0];
        const YAML::Mark& second = documents.starts[1];
        if (second.pos == first.pos) {
            const size_t at = static_cast<size_t>(first.pos);
            in_.fail(first, "YAML syntax error: unexpected '" +
                                (at < yaml.size() ? yaml.substr(at, 1) : std::string()) + "'");
        }
        in_.fail(second,
                 "only one YAML document is allowed; remove the second '---' and what follows");
    }
}

YAML::Node Loader::parse(const std::string& yaml, bool tree) const {
    check_line_lengths(yaml);
    try {
        check_documents(yaml);
        return tree ? YAML::Load(yaml) : YAML::Node();
    } catch (const YAML::DeepRecursion& e) {
        // yaml-cpp's own words for this are "bad file".
        // Its depth counts the parser's own steps, more than one per level of the document.
        in_.fail(e.mark,
                 "YAML nesting too deep: lists and maps nested inside each other beyond "
                 "what the YAML parser follows (it stopped at depth " +
                     std::to_string(e.depth()) +
                     "); nswatch's configuration needs fewer than 10 levels");
    } catch (const YAML::Exception& e) {
        in_.fail(e.mark, "YAML syntax error: " + e.msg);
    }
}

YAML::Node Loader::parse_rest(const ZoneCut& cut) const {
    try {
        check_documents(cut.rest);
        YAML::Node rest = YAML::Load(cut.rest);
        const YAML::Node& top = rest;
        if (top.IsMap()) {
            const YAML::Node zones = top["zones"];
            if (zones.IsDefined() && zones.IsNull()) return rest;
        }
    } catch (const YAML::Exception&) {
    } catch (const ConfigError&) {
    }
    // What is left of the document does not read as expected: the whole document decides.
    throw ZoneCutUnsure{};
}

void Loader::read_cut_or_whole(const std::string& yaml,
                               const std::function<void(const ZoneCut*)>& read,
                               const std::function<void()>& undo) const {
    if (cut_zones_) {
        check_line_lengths(yaml);
        if (std::optional<ZoneCut> cut = cut_zone_items(yaml)) {
            try {
                read(&*cut);
                return;
            } catch (const ZoneCutUnsure&) {
                // The cut was wrong somewhere: the whole document as one tree, below.
                if (undo) undo();
            } catch (const ConfigError&) {
                // Each part parsed alone; a syntax error elsewhere in the document would have
                // been reported before this one, as it is when the document is one tree.
                parse(yaml, false);
                throw;
            }
        }
    }
    read(nullptr);
}

Config Loader::load(const std::string& yaml, const LoadOptions& options) {
    Config config;
    read_cut_or_whole(yaml,
                      [&](const ZoneCut* cut) { config = load_document(yaml, options, cut); });
    return config;
}

Config Loader::load_document(const std::string& yaml, const LoadOptions& options,
                             const ZoneCut* cut) {
    const YAML::Node document = cut != nullptr ? parse_rest(*cut) : parse(yaml);
    Config config;
    config.source = source_;
    if (options.shard) config.inventory.shard = *options.shard;
    Field root{document, "", YAML::Mark::null_mark()};
    if (root.value.IsNull() || !root.value.IsDefined()) {
        // An empty file (or one of only comments) is the all-defaults config.
        if (options.require_zones) {
            in_.fail(root.mark(), "no zones: add a 'zones' list with at least one zone");
        }
        return config;
    }

    MapFields top =
        in_.map(root,
                {"root_hints", "vantages", "default_vantage", "probe", "discovery", "providers",
                 "zones", "zones_from", "shard", "thresholds", "storage", "http", "alerts",
                 "resolvers", "keys", "notify", "propagation", "audit", "diff"},
                kReservedTopLevel);
    // Sections are read in dependency order, not document order: default_vantage needs the
    // vantages, zone overrides need the global thresholds.
    if (const Field* f = top.get("root_hints")) read_root_hints(*f, config);
    if (const Field* f = top.get("vantages")) read_vantages(*f, config);
    if (const Field* f = top.get("default_vantage")) read_default_vantage(*f, config);
    if (const Field* f = top.get("probe")) read_probe(*f, config.probe);
    if (const Field* f = top.get("discovery")) read_discovery(*f, config.discovery);
    if (const Field* f = top.get("keys")) config_detail::read_keys(in_, *f, config);
    if (const Field* f = top.get("notify")) config_detail::read_notify(in_, *f, config);
    if (const Field* f = top.get("propagation")) {
        config_detail::read_propagation(in_, *f, config.propagation);
    }
    if (const Field* f = top.get("providers")) read_providers(*f, config);
    if (const Field* f = top.get("diff")) config_detail::read_diff(in_, *f, config);
    if (const Field* f = top.get("thresholds")) read_thresholds(*f, config.thresholds);
    ZoneSink zones(source_);
    if (const Field* f = top.get("zones")) read_zones_list(*f, cut, yaml, config, zones, 0);
    if (const Field* f = top.get("zones_from")) read_zones_from(*f, config, zones);
    zones.check_unique(config.zones);
    config.inventory.listed = config.zones.size();
    if (const Field* f = top.get("shard")) config.inventory.shard = read_shard(*f);
    if (options.shard) config.inventory.shard = *options.shard;
    if (const Field* f = top.get("storage")) read_storage(*f, config.storage);
    if (const Field* f = top.get("http")) read_http(*f, config.http);
    if (const Field* f = top.get("resolvers")) {
        config.resolution = config_detail::read_resolution(in_, *f, config.vantages);
    }
    if (const Field* f = top.get("audit")) config_detail::read_audit_section(in_, *f, config.audit);
    if (const Field* f = top.get("alerts")) {
        std::vector<std::string> zone_names;
        for (const auto& z : config.zones) zone_names.push_back(z.name);
        config_detail::read_alerts(in_, *f, base_dir_, zone_names, config.alerts);
    }

    if (options.require_zones && config.zones.empty() && config.inventory.catalogs.empty()) {
        if (const Field* from = top.get("zones_from")) {
            in_.fail(*from, "no zones: " + quote_value(config.inventory.zones_from) +
                                " lists none, and there is no 'zones' list");
        }
        const Field* zones = top.get("zones");
        in_.fail(zones != nullptr ? *zones : root,
                 "no zones: add a 'zones' list with at least one zone");
    }
    // Last: the sections above (alert rules per zone) name zones of every shard, and are valid
    // whichever shard this instance runs.
    keep_shard(config);
    return config;
}

void keep_shard(Config& config) {
    if (config.inventory.shard.count > 1) {
        std::erase_if(config.zones, [&](const ZoneConfig& zone) {
            return !in_shard(zone.name, config.inventory.shard);
        });
    }
    config.zones.shrink_to_fit();  // the daemon keeps this vector (its growth slack with it)
}

}  // namespace config_detail

namespace {

Config load_with_base(const std::string& yaml, const std::string& source_name,
                      const std::filesystem::path& base_dir, const LoadOptions& options) {
    return config_detail::Loader(source_name, base_dir).load(yaml, options);
}

}  // namespace

Config load_config_string(const std::string& yaml, const std::string& source_name,
                          const LoadOptions& options) {
    return load_with_base(yaml, source_name, {}, options);
}

Config load_config_file(const std::string& path, const LoadOptions& options) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        throw ConfigError(path, 0, 0, "is a directory, not a configuration file");
    }
    // Checked before reading: the file is held in memory while yaml-cpp parses it.
    const auto size = std::filesystem::file_size(path, ec);
    if (!ec && size > config_detail::kMaxConfigBytes) {
        throw ConfigError(
            path, 0, 0,
            "the configuration file is " + std::to_string(size) + " bytes, more than the " +
                std::to_string(config_detail::kMaxConfigBytes) + " bytes nswatch reads");
    }
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        throw ConfigError(
            path, 0, 0, std::string("cannot read the configuration file: ") + std::strerror(errno));
    }
    std::string text;
    if (!ec) {
        // One allocation and one read: the checks that follow should cost what the file does.
        text.resize(static_cast<size_t>(size));
        file.read(text.data(), static_cast<std::streamsize>(size));
        text.resize(static_cast<size_t>(file.gcount()));
    } else {
        std::ostringstream in;
        in << file.rdbuf();
        text = std::move(in).str();
    }
    std::filesystem::path base = std::filesystem::path(path).parent_path();
    if (base.empty()) base = ".";
    return load_with_base(text, path, base, options);
}

}  // namespace nswatch
