// `check --json` and `audit --format json` print one document: a few summary keys, then "zones",
// an array with one object per zone. At thousands of zones, building that as one JSON tree and
// one string was most of the command's time and memory; this writes the same bytes (dump(2) and
// a newline) a zone at a time.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <vector>

namespace nswatch {

/// Writes what `doc.dump(2) + "\n"` would, where `doc` is `head` (an object whose keys all sort
/// before "zones", as nlohmann::json orders them) plus "zones": [zone(0), ..., zone(n - 1)].
/// Each zone is built, dumped and written before the next is built: the reference `zone(i)`
/// returns is read before zone(i + 1) is called, so it may be one object rewritten each time.
void write_zones_document(std::ostream& out, const nlohmann::json& head, size_t n,
                          const std::function<const nlohmann::json&(size_t)>& zone);

/// The same document when its head (the overall status) is known only after the last zone: each
/// zone is dumped as it comes (add), so that its results can be freed at once, and write() puts
/// out the head, then the zones' text. The text (≈ 3.7 KB a zone for check) is kept in blocks of
/// 2 MiB mapped on their own and marked for transparent huge pages (madvise): at 10,000 zones,
/// first touches of 4 KiB pages of a 37 MB document cost tens of milliseconds of kernel time on
/// a VM; a huge page is one fault per 2 MiB (where the kernel has none to give, it falls back
/// to small pages, the same bytes).
class ZonesDocumentSpool {
  public:
    ZonesDocumentSpool();
    ~ZonesDocumentSpool();
    ZonesDocumentSpool(const ZonesDocumentSpool&) = delete;
    ZonesDocumentSpool& operator=(const ZonesDocumentSpool&) = delete;

    /// Dumps `zone` (at the zones array's indentation) after those added before.
    void add(const nlohmann::json& zone);
    /// Zones added.
    size_t size() const { return zones_; }
    /// Writes what write_zones_document(out, head, size(), ...) would with the zones added.
    void write(std::ostream& out, const nlohmann::json& head) const;

    class Blocks;  ///< the text (json_zones_writer.cpp)

  private:
    std::shared_ptr<Blocks> blocks_;
    std::unique_ptr<nlohmann::detail::serializer<nlohmann::json>> serializer_;
    size_t zones_ = 0;
};

}  // namespace nswatch
