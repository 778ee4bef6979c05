// Domain name helpers for names we already hold as text: canonical spelling and ancestry.
#pragma once

#include <string>
#include <string_view>

namespace nswatch {

/// Lower case, no trailing dot; the root is ".".
std::string canonical_name(std::string_view name);

/// `name` equals `zone` or lies below it ("www.shop.test" in "shop.test", everything in ".").
bool in_bailiwick(std::string_view name, std::string_view zone);

/// The same name, ASCII case ignored, with or without a trailing dot; no copies made.
bool same_dns_name(std::string_view a, std::string_view b);

/// Number of labels ("." has 0, "shop.test" has 2).
int label_count(std::string_view name);

}  // namespace nswatch
