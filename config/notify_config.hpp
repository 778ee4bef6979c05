// Internal to the loader: the sections of the NOTIFY feature (keys, notify, propagation, and a
// provider's transfer), read the way loader*.cpp read the others.
#pragma once

#include "config/schema.hpp"
#include "config/yaml_fields.hpp"

namespace nswatch::config_detail {

/// `keys: [{name, algorithm, secret}]`.
void read_keys(const Reader& in, const Field& field, Config& config);
/// `notify: {listen, allow, keys}`; needs the keys read first.
void read_notify(const Reader& in, const Field& field, Config& config);
/// `propagation: {enabled, fast_interval, deadline}`.
void read_propagation(const Reader& in, const Field& field, PropagationConfig& propagation);
/// `diff: {interval, timeout}`; needs the providers read first (it checks two have transfer:).
void read_diff(const Reader& in, const Field& field, Config& config);
/// A provider's `transfer: {server, port, key}`; needs the keys read first.
TransferSettings read_transfer(const Reader& in, const Field& field, const Config& config);

}  // namespace nswatch::config_detail
