#include "cli/json_zones_writer.hpp"

#include <sys/mman.h>

#include <cstdint>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>

namespace nswatch {

namespace {

/// Appends what `value.dump(2)` would, each line after the first indented `indent` more spaces.
/// nlohmann's public dump() always starts at indentation 0; its serializer (a detail:: class of
/// the library, the one dump() itself uses) takes the starting indentation, which saves a string
/// per zone and a second pass over it to indent its lines.
void append_dump(std::string& out, const nlohmann::json& value, unsigned indent) {
    nlohmann::detail::serializer<nlohmann::json> s(
        nlohmann::detail::output_adapter<char, std::string>(out), ' ');
    s.dump(value, true, false, 2, indent);
}

/// Zones are written to the stream in blocks of about this many bytes, not a write per zone.
constexpr size_t kBlock = 64 * 1024;

/// The head's text without its closing brace, then the zones key: "{\n  ...last key,\n
/// \"zones\": [".
std::string head_text(const nlohmann::json& head) {
    if (!head.is_object() || head.empty() || head.contains("zones"))
        throw std::invalid_argument("json zones document: head must be an object without zones");
    std::string text = head.dump(2);
    text.resize(text.size() - 2);
    text += ",\n  \"zones\": [";
    return text;
}

}  // namespace

void write_zones_document(std::ostream& out, const nlohmann::json& head, size_t n,
                          const std::function<const nlohmann::json&(size_t)>& zone) {
    std::string text = head_text(head);
    if (n == 0) {
        text += "]\n}\n";
        out << text;
        return;
    }
    text.reserve(kBlock + kBlock / 2);
    for (size_t i = 0; i < n; ++i) {
        text += i == 0 ? "\n    " : ",\n    ";
        append_dump(text, zone(i), 4);
        if (text.size() >= kBlock) {
            out.write(text.data(), static_cast<std::streamsize>(text.size()));
            text.clear();
        }
    }
    text += "\n  ]\n}\n";
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

/// Text in 2 MiB blocks, each mapped alone at a 2 MiB boundary and madvise(MADV_HUGEPAGE)d; also
/// the serializer's output adapter (a character, or a run of them, at the end).
class ZonesDocumentSpool::Blocks : public nlohmann::detail::output_adapter_protocol<char> {
  public:
    static constexpr size_t kSize = size_t{2} << 20;

    Blocks() = default;
    Blocks(const Blocks&) = delete;
    Blocks& operator=(const Blocks&) = delete;
    ~Blocks() override {
        for (char* b : blocks_) munmap(b, kSize);
    }

    void write_character(char c) override {
        if (left_ == 0) grow();
        *at_++ = c;
        --left_;
    }

    void write_characters(const char* s, size_t n) override {
        while (n > 0) {
            if (left_ == 0) grow();
            const size_t k = n < left_ ? n : left_;
            std::memcpy(at_, s, k);
            at_ += k;
            left_ -= k;
            s += k;
            n -= k;
        }
    }

    void write_to(std::ostream& out) const {
        for (size_t i = 0; i < blocks_.size(); ++i) {
            const size_t n = i + 1 < blocks_.size() ? kSize : kSize - left_;
            out.write(blocks_[i], static_cast<std::streamsize>(n));
        }
    }

  private:
    void grow() {
        // Twice the size, then the unaligned ends given back: a block starting at a 2 MiB
        // boundary can be one huge page.
        void* raw =
            mmap(nullptr, 2 * kSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (raw == MAP_FAILED) throw std::bad_alloc();
        const auto start = reinterpret_cast<uintptr_t>(raw);
        const uintptr_t aligned = (start + kSize - 1) & ~(uintptr_t{kSize} - 1);
        if (aligned > start) munmap(raw, aligned - start);
        if (start + kSize > aligned) {
            munmap(reinterpret_cast<void*>(aligned + kSize), start + kSize - aligned);
        }
        char* block = reinterpret_cast<char*>(aligned);
        madvise(block, kSize, MADV_HUGEPAGE);  // advice only: small pages if it fails
        blocks_.push_back(block);
        at_ = block;
        left_ = kSize;
    }

    std::vector<char*> blocks_;
    char* at_ = nullptr;
    size_t left_ = 0;
};

ZonesDocumentSpool::ZonesDocumentSpool()
    : blocks_(std::make_shared<Blocks>()),
      serializer_(std::make_unique<nlohmann::detail::serializer<nlohmann::json>>(
          nlohmann::detail::output_adapter_t<char>(blocks_), ' ')) {}

ZonesDocumentSpool::~ZonesDocumentSpool() = default;

void ZonesDocumentSpool::add(const nlohmann::json& zone) {
    blocks_->write_characters(zones_ == 0 ? "\n    " : ",\n    ", zones_ == 0 ? 5 : 6);
    serializer_->dump(zone, true, false, 2, 4);
    ++zones_;
}

void ZonesDocumentSpool::write(std::ostream& out, const nlohmann::json& head) const {
    std::string text = head_text(head);
    if (zones_ == 0) {
        text += "]\n}\n";
        out << text;
        return;
    }
    out << text;
    blocks_->write_to(out);
    out << "\n  ]\n}\n";
}

}  // namespace nswatch
