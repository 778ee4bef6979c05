// Writing values into a nlohmann::json that already holds a document of the same shape. An
// object built fresh for each of thousands of zones costs a tree node per key and a heap string
// per text, all freed again after it is dumped; overwritten in place, a value of the same type
// stays where it is (a string keeps its buffer, an array its elements), so a reused zone object
// allocates only where the next zone has more than the last.
//
// The caller sets every key the document can have for each value it writes, or erases it
// (erase_key): a key left over from the previous value would otherwise be dumped again.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

namespace nswatch {

/// `slot` becomes the string `v`.
inline void set_text(nlohmann::json& slot, std::string_view v) {
    if (slot.is_string()) {
        slot.get_ref<nlohmann::json::string_t&>().assign(v);
    } else {
        slot = nlohmann::json::string_t(v);
    }
}

/// `slot` becomes an array of n elements (the first ones kept as they are), and `fill(element, i)`
/// writes each.
template <class Fill>
void set_array(nlohmann::json& slot, size_t n, Fill&& fill) {
    if (!slot.is_array()) slot = nlohmann::json::array();
    auto& a = slot.get_ref<nlohmann::json::array_t&>();
    a.resize(n);
    for (size_t i = 0; i < n; ++i) fill(a[i], i);
}

/// `slot` becomes an array of the strings of `v`.
inline void set_texts(nlohmann::json& slot, const std::vector<std::string>& v) {
    set_array(slot, v.size(), [&v](nlohmann::json& e, size_t i) { set_text(e, v[i]); });
}

/// `slot` becomes an object if it is not one; returns it (its keys are kept).
inline nlohmann::json& as_object(nlohmann::json& slot) {
    if (!slot.is_object()) slot = nlohmann::json::object();
    return slot;
}

/// Removes `key` from the object `o` if it is there.
inline void erase_key(nlohmann::json& o, const char* key) {
    if (o.is_object()) o.erase(key);
}

}  // namespace nswatch
